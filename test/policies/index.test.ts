/**
 * The standalone pack: starts `policies/index.ts` the way `pulumi preview --policy-pack policies`
 * does (a child process that prints the port of its analyzer gRPC server) and talks to it like the
 * engine: GetAnalyzerInfo, then Analyze on one resource.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { allPolicies } from "../../policies/registry";

// Transitive dependencies of @pulumi/pulumi and @pulumi/policy (the engine-side protocol).
const grpc = require("@grpc/grpc-js");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"]; // proto EnforcementLevel order

describe("policies/index (the pack served over gRPC)", () => {
  let child: ChildProcess;
  let client: any;
  const call = (method: string, req: unknown) =>
    new Promise<any>((resolve, reject) => client[method](req, (err: Error | null, resp: unknown) => (err ? reject(err) : resolve(resp))));

  before(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "index.ts"], {
      cwd: path.join(__dirname, "..", "..", "policies"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (d) => resolve(String(d).trim()));
      child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    assert.match(port, /^\d+$/);
    client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  it("announces every rule of the registry with its default level and config schema", async () => {
    const info = await call("getAnalyzerInfo", new emptyproto.Empty());
    assert.equal(info.getName(), "ml-landing-zone");
    const served = info.getPoliciesList().map((p: any) => [p.getName(), LEVELS[p.getEnforcementlevel()], p.getConfigschema() !== undefined]);
    assert.deepEqual(
      served,
      allPolicies.map((p) => [p.name, p.enforcementLevel, p.configSchema !== undefined]),
    );
  });

  it("reports a violation for an IAM user, prefixed with the rule description like the engine shows it", async () => {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType("aws:iam/user:User");
    req.setUrn("urn:pulumi:prod::ml-landing-zone::aws:iam/user:User::ci");
    req.setName("ci");
    req.setProperties(structproto.Struct.fromJavaScript({ name: "ci", tags: { environment: "prod", owner: "o", pipeline: "p" } }));
    req.setOptions(new analyzerproto.AnalyzerResourceOptions());
    const resp = await call("analyze", req);
    assert.deepEqual(
      resp.getDiagnosticsList().map((d: any) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()], d.getMessage()]),
      [
        [
          "iam-no-users-or-access-keys",
          "mandatory",
          "Checks whether the stack is free of IAM users, login profiles and access keys.\nIAM user 'ci' must not be declared; people sign in through IAM Identity Center and workloads assume roles.",
        ],
      ],
    );
  });
});
