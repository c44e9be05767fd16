import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stackReferences, stackReferencesOf } from "../../stacks/cicd";
import { STACKS_DIR, readStackConfigFile, stackFilesIn } from "../../stacks/config";

const MGMT = "organization/ml-landing-zone/management";

describe("cicd stack: which stacks each stack's GitHub roles may read (from the stack files)", () => {
  it("every member stack reads management; ml also reads its consumers and the lakehouse; management reads nothing", () => {
    assert.deepEqual(stackReferences(), {
      cicd: [MGMT],
      lakehouse: [MGMT],
      management: [],
      ml: ["organization/ml-landing-zone/lakehouse", MGMT, "organization/ml-landing-zone/prod", "organization/ml-landing-zone/qa"],
      prod: [MGMT],
      qa: [MGMT],
    });
  });

  it("follows the stack files: a removed consumer or trainer lakehouse is no longer readable", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-refs-"));
    try {
      for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
      const ml = fs.readFileSync(path.join(STACKS_DIR, "Pulumi.ml.yaml"), "utf8")
        .replace(/ {4}prod:\n {6}stack: organization\/ml-landing-zone\/prod\n {6}requireVpcEndpoint: true\n/, "")
        .replace(/ {4}lakehouseStack: organization\/ml-landing-zone\/lakehouse\n/, "");
      fs.writeFileSync(path.join(dir, "Pulumi.ml.yaml"), ml);
      assert.deepEqual(stackReferences(stackFilesIn(dir)).ml, [MGMT, "organization/ml-landing-zone/qa"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stackReferencesOf deduplicates and sorts", () => {
    const ml = readStackConfigFile("ml");
    assert.equal(ml.role, "ml");
    if (ml.role !== "ml") return;
    const twice = { ...ml, consumers: { ...ml.consumers, again: { stack: MGMT, requireVpcEndpoint: false } } };
    assert.deepEqual(stackReferencesOf(twice), ["organization/ml-landing-zone/lakehouse", MGMT, "organization/ml-landing-zone/prod", "organization/ml-landing-zone/qa"]);
  });
});
