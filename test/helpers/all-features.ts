/**
 * A stacks folder with every optional feature switched on: the example organization's stack files
 * (stacks/Pulumi.*.yaml, read at test time so it follows them) with the optional pipelines and
 * settings that exist today enabled. Tests plan it to check what the example's own settings leave
 * undeclared (the Autopilot job and its model, the candidate endpoint, …).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";

const P = "ml-landing-zone";
const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");

/** Per stack file: config key → value merged over the example's (objects key by key). */
export const ALL_FEATURES: Record<string, Record<string, unknown>> = {
  management: {
    [`${P}:guardrails`]: {
      iamUserExceptionAccountIds: ["222222222222"],
      protectAuditLogBuckets: true,
      enforceOrgIdentities: true,
      organizationTrail: { enabled: true },
      configRecorders: { enabled: true },
      configRules: { enabled: true },
    },
  },
  cicd: {
    [`${P}:github`]: { stateKmsKeyArn: "arn:aws:kms:us-east-1:222222222222:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" },
  },
  ml: {
    [`${P}:bikeshare`]: { train: true, trainingRun: "2026-11-30", serveCandidate: true, publishParameters: true, maxRuntimeSeconds: 14400 },
  },
  qa: {
    [`${P}:modelSmokeTest`]: { imageKmsKeyArn: "arn:aws:kms:us-east-1:555555555555:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d" },
  },
  prod: {
    [`${P}:modelSmokeTest`]: { imageKmsKeyArn: "arn:aws:kms:us-east-1:666666666666:key/6d5c4b3a-2f1e-0d9c-8b7a-6f5e4d3c2b1a" },
  },
};

function merge(base: unknown, over: unknown): unknown {
  if (base && over && typeof base === "object" && typeof over === "object" && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}

/** Writes the all-features stack files into a new temporary folder; the caller removes it. */
export function writeAllFeaturesStacks(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-all-features-"));
  for (const file of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) {
    const stack = file.slice("Pulumi.".length, -".yaml".length);
    const doc = parseDocument(fs.readFileSync(path.join(STACKS_DIR, file), "utf8"));
    for (const [key, value] of Object.entries(ALL_FEATURES[stack] ?? {})) {
      const current = doc.getIn(["config", key]) as { toJSON?: () => unknown } | undefined;
      doc.setIn(["config", key], merge(current?.toJSON ? current.toJSON() : current, value));
    }
    fs.writeFileSync(path.join(dir, file), doc.toString());
  }
  return dir;
}
