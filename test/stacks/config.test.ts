import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ConfigError,
  parseStackConfig,
  readStackFile,
  parseStackFileText,
  readStackConfigFile,
  listStacks,
  SECRET_PLACEHOLDER,
  validateStackFile,
} from "../../stacks/config";

const FILE = "stacks/Pulumi.qa.yaml";
const VERSION = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";

function workload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    role: "workload",
    region: "us-east-1",
    owner: "apps@example.com",
    managementStack: "organization/ml-landing-zone/management",
    account: "qa",
    models: JSON.stringify({ "defect-detector": { kind: "rekognition", versionArn: VERSION } }),
    ...overrides,
  };
}

/** The consumer accounts (`guardrails.consumerAccounts` defaults to qa, prod), alone in OU `apps`. */
const CONSUMERS = {
  qa: { name: "q", email: "q@example.com", ou: "apps" },
  prod: { name: "p", email: "p@example.com", ou: "apps" },
};

function management(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    role: "management",
    region: "us-east-1",
    owner: "platform@example.com",
    managementAccountId: "111111111111",
    organizationalUnits: { infra: { name: "Infrastructure" }, work: { name: "Workloads" }, apps: { name: "Applications" } },
    accounts: {
      cicd: { name: "c", email: "c@example.com", ou: "infra" },
      lakehouse: { name: "l", email: "l@example.com", ou: "infra" },
      ml: { name: "m", email: "m@example.com", ou: "work" },
      ...CONSUMERS,
    },
    guardrails: { organizationTrail: { kmsKeyArn: "arn:aws:kms:us-east-1:333333333333:key/4f3c2a1b-8d7e-4c6b-9a5f-0e1d2c3b4a59" } },
    ...overrides,
  };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail("expected the config to be refused");
}

describe("stack config schema", () => {
  it("accepts a valid workload config and decodes JSON-encoded objects as Pulumi hands them over", () => {
    const c = parseStackConfig(workload(), FILE);
    assert.equal(c.role, "workload");
    if (c.role !== "workload") return;
    assert.deepEqual(c.models, { "defect-detector": { kind: "rekognition", versionArn: VERSION } });
  });

  it("requires a role and names the allowed ones", () => {
    assert.equal(messageOf(() => parseStackConfig({}, FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:role: is required: one of management, cicd, lakehouse, ml, workload");
    assert.equal(messageOf(() => parseStackConfig(workload({ role: "web" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:role: expected one of management, cicd, lakehouse, ml, workload; got 'web'");
  });

  it("refuses a region that is not an AWS region", () => {
    assert.equal(messageOf(() => parseStackConfig(workload({ region: "us-middle-1" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:region: expected an AWS region such as 'us-east-1'; got 'us-middle-1'");
  });

  it("refuses an owner that is not an e-mail address", () => {
    assert.equal(messageOf(() => parseStackConfig(workload({ owner: "apps-team" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:owner: expected an e-mail address; got 'apps-team'");
  });

  it("refuses an account e-mail that is not an address, naming the account", () => {
    const accounts = { ...(management().accounts as object), ml: { name: "m", email: "ml-at-example.com", ou: "work" } };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.ml.email: expected an e-mail address; got 'ml-at-example.com'");
  });

  it("refuses a model ARN of the wrong service", () => {
    const models = { "defect-detector": { kind: "rekognition", versionArn: "arn:aws:s3:::models/defect-detector" } };
    assert.equal(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:models.defect-detector.versionArn: expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got 'arn:aws:s3:::models/defect-detector' (service 's3')");
  });

  it("refuses a Rekognition ARN whose shape is wrong (project ARN instead of version ARN)", () => {
    const models = { "defect-detector": { kind: "rekognition", versionArn: "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1762078500000" } };
    assert.match(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      /^stacks\/Pulumi\.qa\.yaml: ml-landing-zone:models\.defect-detector\.versionArn: expected a Rekognition project-version ARN .*; got 'arn:aws:rekognition:us-east-1:444444444444:project\/defect-detector\/1762078500000'$/);
  });

  it("refuses a SageMaker model given a Rekognition ARN (kind and ARN must agree)", () => {
    const models = { clf: { kind: "sagemaker", versionArn: VERSION } };
    assert.equal(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      `stacks/Pulumi.qa.yaml: ml-landing-zone:models.clf.versionArn: expected a SageMaker model ARN (arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>); got '${VERSION}' (service 'rekognition')`);
  });

  it("refuses a model name that is not kebab-case", () => {
    const models = { DefectDetector: { kind: "rekognition", versionArn: VERSION } };
    assert.equal(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:models.DefectDetector: expected a model name (lowercase letters, digits and '-', starting with a letter); got 'DefectDetector'");
  });

  it("requires the management stack reference of a member stack", () => {
    const values = workload();
    delete values.managementStack;
    assert.equal(messageOf(() => parseStackConfig(values, FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:managementStack: is required: expected a stack reference '<organization>/ml-landing-zone/<stack>'");
  });

  it("refuses a malformed stack reference", () => {
    assert.equal(messageOf(() => parseStackConfig(workload({ managementStack: "management" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:managementStack: expected a stack reference '<organization>/ml-landing-zone/<stack>'; got 'management'");
  });

  it("refuses stack references the configured backend would reject (DIY: organization/<project>/<stack>)", () => {
    // The S3 (DIY) backend the workflows use is the default.
    assert.equal(messageOf(() => parseStackConfig(workload({ managementStack: "example-org/ml-landing-zone/management" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:managementStack: expected 'organization/ml-landing-zone/management': the DIY (S3) backend of stateBackend 'diy' names every stack 'organization/<project>/<stack>' and rejects the organization 'example-org'");
    assert.equal((parseStackConfig(workload(), FILE) as any).stateBackend, "diy");
    // Pulumi Cloud: the organization is yours, never the DIY placeholder.
    assert.equal(parseStackConfig(workload({ stateBackend: "cloud", managementStack: "example-org/ml-landing-zone/management" }), FILE).role, "workload");
    assert.equal(messageOf(() => parseStackConfig(workload({ stateBackend: "cloud" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:managementStack: expected '<your Pulumi Cloud organization>/ml-landing-zone/management': 'organization/…' is the DIY backend's form, and stateBackend is 'cloud'");
    assert.equal(messageOf(() => parseStackConfig(workload({ managementStack: "organization/other-project/management" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:managementStack: expected a stack of project 'ml-landing-zone' ('<organization>/ml-landing-zone/<stack>'); got 'organization/other-project/management'");
    assert.match(messageOf(() => parseStackConfig(workload({ stateBackend: "s3" }), FILE)), /ml-landing-zone:stateBackend: expected 'diy' \(the S3 backend the workflows use\) or 'cloud'/);
  });

  it("checks every stack reference of an ML stack: consumers and the lakehouse stack", () => {
    const ml = {
      role: "ml", region: "us-east-1", owner: "mlops@example.com", managementStack: "organization/ml-landing-zone/management", account: "ml",
      models: JSON.stringify({ "defect-detector": { kind: "rekognition" } }),
      consumers: JSON.stringify({ qa: { stack: "example-org/ml-landing-zone/qa" } }),
      rekognitionTrainer: JSON.stringify({ lakehouseStack: "acme/ml-landing-zone/lakehouse" }),
    };
    const message = messageOf(() => parseStackConfig(ml, "stacks/Pulumi.ml.yaml"));
    assert.match(message, /^stacks\/Pulumi\.ml\.yaml: ml-landing-zone:consumers\.qa\.stack: expected 'organization\/ml-landing-zone\/qa'/m);
    assert.match(message, /^stacks\/Pulumi\.ml\.yaml: ml-landing-zone:rekognitionTrainer\.lakehouseStack: expected 'organization\/ml-landing-zone\/lakehouse'/m);
  });

  it("refuses an unknown key (a typo is not ignored)", () => {
    assert.equal(messageOf(() => parseStackConfig(workload({ modles: "{}" }), FILE)),
      "stacks/Pulumi.qa.yaml: ml-landing-zone:modles: unknown key (check its spelling against the documented keys)");
  });

  it("refuses an account id that is not 12 digits", () => {
    assert.equal(messageOf(() => parseStackConfig(management({ managementAccountId: "1111" }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:managementAccountId: expected a 12-digit AWS account id; got '1111'");
  });

  it("refuses an account placed in an OU that does not exist", () => {
    const accounts = { ...(management().accounts as object), qa: { name: "q", email: "q@example.com", ou: "nonprod" } };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.qa.ou: expected an OU key (infra, work, apps); got 'nonprod'");
  });

  it("refuses an OU whose parent does not exist", () => {
    const organizationalUnits = { infra: { name: "Infrastructure", parent: "root-ou" }, work: { name: "W" }, apps: { name: "A" } };
    assert.equal(messageOf(() => parseStackConfig(management({ organizationalUnits }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:organizationalUnits.infra.parent: expected the key of another OU (infra, work, apps); got 'root-ou'");
  });

  it("requires the platform accounts cicd, lakehouse and ml", () => {
    const accounts = { cicd: { name: "c", email: "c@example.com", ou: "infra" }, ...CONSUMERS };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), "stacks/Pulumi.management.yaml")), [
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts: expected an account with key 'lakehouse'",
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts: expected an account with key 'ml'",
    ].join("\n"));
  });

  it("refuses two accounts with the same e-mail", () => {
    const accounts = { ...(management().accounts as object), ml: { name: "m", email: "C@example.com", ou: "work" } };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.ml.email: expected a unique e-mail; 'C@example.com' is also used by account 'cicd'");
  });

  it("refuses two accounts with the same id, or the management account's id, naming each", () => {
    const accounts = {
      cicd: { name: "c", email: "c@example.com", ou: "infra", id: "222222222222" },
      lakehouse: { name: "l", email: "l@example.com", ou: "infra", id: "222222222222" },
      ml: { name: "m", email: "m@example.com", ou: "work", id: "111111111111" },
      ...CONSUMERS,
    };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts, organizationId: "o-exampleorg1" }), "stacks/Pulumi.management.yaml")), [
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.lakehouse.id: expected a unique account id; '222222222222' is also the id of account 'cicd'",
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.ml.id: expected a unique account id; '111111111111' is also the management account (managementAccountId)",
    ].join("\n"));
  });

  it("refuses two accounts with the same name (case-insensitive)", () => {
    const accounts = { ...(management().accounts as object), ml: { name: "C", email: "m@example.com", ou: "work" } };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:accounts.ml.name: expected a unique account name; 'C' is also the name of account 'cicd'");
  });

  it("refuses a workload model version in another region than the stack, naming the model's key", () => {
    const models = JSON.stringify({ "defect-detector": { kind: "rekognition", versionArn: VERSION.replace("us-east-1", "eu-west-1") } });
    assert.equal(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      `stacks/Pulumi.qa.yaml: ml-landing-zone:models.defect-detector.versionArn: expected a version in this stack's region us-east-1, where its endpoints are; got '${VERSION.replace("us-east-1", "eu-west-1")}' in eu-west-1`);
  });

  it("refuses a malformed version ARN naming the file and models.<model>.versionArn", () => {
    const models = JSON.stringify({ "defect-detector": { kind: "rekognition", versionArn: "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector" } });
    assert.match(messageOf(() => parseStackConfig(workload({ models }), FILE)),
      /^stacks\/Pulumi\.qa\.yaml: ml-landing-zone:models\.defect-detector\.versionArn: expected a Rekognition project-version ARN/);
  });

  it("validates a whole stack file: known namespaces only, default providers disabled", () => {
    const text = (extra: string) => `config:\n${extra}  ml-landing-zone:role: workload\n  ml-landing-zone:region: us-east-1\n  ml-landing-zone:owner: apps@example.com\n  ml-landing-zone:managementStack: organization/ml-landing-zone/management\n  ml-landing-zone:account: qa\n  ml-landing-zone:models: {}\n`;
    const ok = "  pulumi:disable-default-providers: ['*']\n";
    assert.equal(validateStackFile(parseStackFileText("qa", text(ok))).role, "workload");
    assert.equal(validateStackFile(parseStackFileText("qa", text(`${ok}  aws:region: us-east-1\n`))).role, "workload");
    assert.equal(messageOf(() => validateStackFile(parseStackFileText("qa", text("")))),
      'stacks/Pulumi.qa.yaml: pulumi:disable-default-providers: is required: ["*"] (every resource names its provider explicitly)');
    assert.equal(messageOf(() => validateStackFile(parseStackFileText("qa", text("  pulumi:disable-default-providers: ['aws']\n")))),
      'stacks/Pulumi.qa.yaml: pulumi:disable-default-providers: expected ["*"] (every resource names its provider explicitly); got ["aws"]');
    assert.equal(messageOf(() => validateStackFile(parseStackFileText("qa", text(`${ok}  mlz-landing-zone:minF1: 0.9\n  modelSmokeTest: x\n`)))), [
      "stacks/Pulumi.qa.yaml: mlz-landing-zone:minF1: unknown namespace 'mlz-landing-zone:' (expected ml-landing-zone:, pulumi:, aws:); did you mean 'ml-landing-zone:minF1'?",
      "stacks/Pulumi.qa.yaml: modelSmokeTest: expected a namespaced key '<namespace>:<key>' (ml-landing-zone:, pulumi:, aws:); did you mean 'ml-landing-zone:modelSmokeTest'?",
    ].join("\n"));
    // Key and value problems are reported together.
    assert.equal(messageOf(() => validateStackFile(parseStackFileText("qa", text("").replace("us-east-1", "nowhere")))).split("\n").length, 2);
  });

  it("makes a wildcard in the GitHub repository impossible to configure (it would reach the OIDC sub)", () => {
    const cicd = { role: "cicd", region: "us-east-1", owner: "platform@example.com", managementStack: "organization/ml-landing-zone/management", account: "cicd" };
    assert.equal(messageOf(() => parseStackConfig({ ...cicd, github: { owner: "example-*", repo: "ml-landing-zone", stateBucket: "mlz-pulumi-state-222222222222" } }, "stacks/Pulumi.cicd.yaml")),
      "stacks/Pulumi.cicd.yaml: ml-landing-zone:github.owner: expected a GitHub user or organization name (letters, digits, single inner hyphens; no wildcards); got 'example-*'");
    assert.equal(messageOf(() => parseStackConfig({ ...cicd, github: { owner: "example-org", repo: "*", stateBucket: "mlz-pulumi-state-222222222222" } }, "stacks/Pulumi.cicd.yaml")),
      "stacks/Pulumi.cicd.yaml: ml-landing-zone:github.repo: expected a GitHub repository name (letters, digits, '.', '_', '-'; no wildcards); got '*'");
    assert.equal(parseStackConfig({ ...cicd, github: { owner: "example-org", repo: "ml-landing-zone", stateBucket: "mlz-pulumi-state-222222222222" } }, "stacks/Pulumi.cicd.yaml").role, "cicd");
  });

  it("checks the guardrails' account keys against the accounts, and refuses a locked-out OU holding a non-consumer", () => {
    const file = "stacks/Pulumi.management.yaml";
    const trail = { organizationTrail: { enabled: false } };
    assert.equal(messageOf(() => parseStackConfig(management({ guardrails: { ...trail, consumerAccounts: ["qa", "staging"] } }), file)), [
      `${file}: ml-landing-zone:guardrails.consumerAccounts.1: expected account keys of the organization (cicd, lakehouse, ml, qa, prod); got 'staging'`,
      `${file}: ml-landing-zone:guardrails.consumerAccounts: OU 'apps' would get the Rekognition lockout, but it also holds account 'prod', which is not a consumer; move it to another OU or list it`,
    ].join("\n"));
    const accounts = { ...(management().accounts as object), ml: { name: "m", email: "m@example.com", ou: "apps" } };
    assert.equal(messageOf(() => parseStackConfig(management({ accounts }), file)),
      `${file}: ml-landing-zone:guardrails.consumerAccounts: OU 'apps' would get the Rekognition lockout, but it also holds account 'ml', which is not a consumer; move it to another OU or list it`);
    assert.equal(messageOf(() => parseStackConfig(management({ guardrails: { ...trail, configRecorders: { existingServiceLinkedRole: ["management", "sandbox"] }, configRules: { excludedAccounts: ["management"] } } }), file)), [
      `${file}: ml-landing-zone:guardrails.configRecorders.existingServiceLinkedRole.1: expected account keys of the organization (management, cicd, lakehouse, ml, qa, prod); got 'sandbox'`,
      `${file}: ml-landing-zone:guardrails.configRules.excludedAccounts.0: expected account keys of the organization (cicd, lakehouse, ml, qa, prod); got 'management'`,
    ].join("\n"));
    assert.equal(parseStackConfig(management({ guardrails: { ...trail, consumerAccounts: ["qa", "prod"], configRules: { excludedAccounts: ["qa"] } } }), file).role, "management");
  });

  it("refuses a region listed twice in the guardrails' allow-list", () => {
    const guardrails = { allowedRegions: ["eu-west-1", "eu-west-1"], organizationTrail: { enabled: false } };
    assert.equal(messageOf(() => parseStackConfig(management({ guardrails }), "stacks/Pulumi.management.yaml")),
      "stacks/Pulumi.management.yaml: ml-landing-zone:guardrails.allowedRegions: expected each region once; got eu-west-1, eu-west-1");
  });

  it("says a present value of the wrong type is of the wrong type, not missing", () => {
    const models = { "defect-detector": { kind: "rekognition", versionArn: VERSION, minF1: "0.85" } };
    const message = messageOf(() => parseStackConfig(workload({ models }), FILE));
    assert.match(message, /^stacks\/Pulumi\.qa\.yaml: ml-landing-zone:models\.defect-detector\.minF1: /);
    assert.doesNotMatch(message, /is required/);
  });

  it("reports every bad key at once", () => {
    const message = messageOf(() => parseStackConfig(workload({ region: "nowhere", owner: "x" }), FILE));
    assert.deepEqual(message.split("\n").map((l) => l.split(": ")[1]), ["ml-landing-zone:region", "ml-landing-zone:owner"]);
  });
});

describe("stack files", () => {
  it("reads secure values as a placeholder marked secret, and scalars as strings as Pulumi does", () => {
    const f = parseStackFileText("qa", [
      "config:",
      "  pulumi:disable-default-providers: ['*']",
      "  ml-landing-zone:role: workload",
      "  ml-landing-zone:token:",
      "    secure: AAABAKx9",
      "  ml-landing-zone:retries: 3",
    ].join("\n"));
    assert.deepEqual(f.values, { role: "workload", token: SECRET_PLACEHOLDER, retries: "3" });
    assert.deepEqual(f.secretKeys, ["token"]);
    assert.deepEqual(f.otherValues, { "pulumi:disable-default-providers": ["*"] });
  });

  it("names the file when the YAML is broken or has no config map", () => {
    assert.equal(messageOf(() => parseStackFileText("qa", "config: [")).split(": ").slice(0, 2).join(": "), "stacks/Pulumi.qa.yaml: (yaml)");
    assert.equal(messageOf(() => parseStackFileText("qa", "name: x\n")), "stacks/Pulumi.qa.yaml: config: expected a top-level 'config' map");
  });

  it("validates every example stack of the repository", () => {
    const stacks = listStacks();
    assert.deepEqual(stacks, ["cicd", "lakehouse", "management", "ml", "prod", "qa"]);
    const roles = Object.fromEntries(stacks.map((s) => [s, readStackConfigFile(s).role]));
    assert.deepEqual(roles, { cicd: "cicd", lakehouse: "lakehouse", management: "management", ml: "ml", prod: "workload", qa: "workload" });
  });

  it("reads stack files from another folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-stacks-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  ml-landing-zone:role: cicd\n");
      assert.deepEqual(listStacks(dir), ["x"]);
      // Messages name the file read, here outside stacks/.
      const file = path.relative(process.cwd(), path.join(dir, "Pulumi.x.yaml"));
      assert.equal(messageOf(() => readStackConfigFile("x", dir)).split("\n")[0], `${file}: ml-landing-zone:region: is required: expected an AWS region such as 'us-east-1'`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cross-field checks of the stack config", () => {
  const ML_FILE = "stacks/Pulumi.ml.yaml";
  const QA_FILE = "stacks/Pulumi.qa.yaml";
  const ml = (over: Record<string, unknown>) => ({ ...readStackFile("ml").values, ...over });
  const qa = (over: Record<string, unknown>) => ({ ...readStackFile("qa").values, ...over });
  const refused = (values: Record<string, unknown>, file: string, key: string, message: string) =>
    assert.throws(() => parseStackConfig(values, file), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.issues, [{ key, message }]);
      assert.equal(e.message, `${file}: ${key}: ${message}`);
      return true;
    });

  it("accepts the example ml and qa stack files", () => {
    assert.equal(parseStackConfig(ml({}), ML_FILE).role, "ml");
    assert.equal(parseStackConfig(qa({}), QA_FILE).role, "workload");
  });

  it("ml: bikeshare.model must name a sagemaker model of models", () => {
    const bikeshare = (model: string) => ({ ...(readStackFile("ml").values.bikeshare as object), model });
    refused(ml({ bikeshare: bikeshare("defect-detector") }), ML_FILE, "ml-landing-zone:bikeshare.model",
      "expected a sagemaker model of ml-landing-zone:models (bikeshare-classifier); 'defect-detector' is rekognition");
    refused(ml({ bikeshare: bikeshare("bikes") }), ML_FILE, "ml-landing-zone:bikeshare.model",
      "expected a sagemaker model of ml-landing-zone:models (bikeshare-classifier); got 'bikes'");
  });

  it("ml: a retired version must be a Rekognition version of a rekognition model, in the stack's region", () => {
    const other = "arn:aws:rekognition:us-east-1:444444444444:project/people-counter/version/people-counter.v1/1762078500000";
    refused(ml({ retiredModelVersions: JSON.stringify([other]) }), ML_FILE, "ml-landing-zone:retiredModelVersions.0",
      `'${other}' belongs to project 'people-counter', which is not a rekognition model of ml-landing-zone:models (defect-detector)`);
    const west = VERSION.replace("us-east-1", "eu-west-1");
    refused(ml({ retiredModelVersions: JSON.stringify([west]) }), ML_FILE, "ml-landing-zone:retiredModelVersions.0",
      `'${west}' is in region eu-west-1; the ML stack hosts its models in us-east-1`);
    assert.throws(() => parseStackConfig(ml({ retiredModelVersions: JSON.stringify(["x"]) }), ML_FILE), /ml-landing-zone:retiredModelVersions\.0: expected a Rekognition project-version ARN/);
  });

  it("ml: an adopted project must be the model's own project, in the stack's region", () => {
    const models = (projectArn: string) => JSON.stringify({ ...(readStackFile("ml").values.models as object), "defect-detector": { kind: "rekognition", projectArn } });
    const other = "arn:aws:rekognition:us-east-1:444444444444:project/other-model/1761986400000";
    refused(ml({ models: models(other) }), ML_FILE, "ml-landing-zone:models.defect-detector.projectArn",
      `expected the ARN of project 'defect-detector' (projects are named after their model); got '${other}'`);
    const west = "arn:aws:rekognition:eu-west-1:444444444444:project/defect-detector/1761986400000";
    refused(ml({ models: models(west) }), ML_FILE, "ml-landing-zone:models.defect-detector.projectArn",
      `'${west}' is in region eu-west-1; the ML stack hosts its models in us-east-1`);
    assert.equal(parseStackConfig(ml({ models: models(west.replace("eu-west-1", "us-east-1")) }), ML_FILE).role, "ml");
  });

  it("workload: modelSmokeTest.model must name a Rekognition model of models", () => {
    const smoke = (model: string) => ({ ...(readStackFile("qa").values.modelSmokeTest as object), model });
    refused(qa({ modelSmokeTest: smoke("nope") }), QA_FILE, "ml-landing-zone:modelSmokeTest.model",
      "expected a model of ml-landing-zone:models (bikeshare-classifier, defect-detector, legal-entities); got 'nope'");
    refused(qa({ modelSmokeTest: smoke("bikeshare-classifier") }), QA_FILE, "ml-landing-zone:modelSmokeTest.model",
      "expected a Rekognition model; 'bikeshare-classifier' is sagemaker");
  });
});
