import { strict as assert } from "node:assert";
import { recordProgram, only, promiseOf } from "../../helpers/pulumi";
import { OrganizationAccessAnalyzers } from "../../../components/organization/access-analyzers";

describe("OrganizationAccessAnalyzers", () => {
  it("declares an external-access and an unused-access organization analyzer", async () => {
    const { result, resources } = await recordProgram(() => new OrganizationAccessAnalyzers("analyzers", {}));
    const comp = only(resources, "mlz:organization:AccessAnalyzers", "analyzers");
    const external = only(resources, "aws:accessanalyzer/analyzer:Analyzer", "analyzers-external-access");
    const unused = only(resources, "aws:accessanalyzer/analyzer:Analyzer", "analyzers-unused-access");
    assert.equal(external.parent, comp.urn);
    assert.equal(unused.parent, comp.urn);
    assert.equal(external.inputs.type, "ORGANIZATION");
    assert.equal(external.inputs.analyzerName, "mlz-org-external-access");
    assert.equal(external.inputs.configuration, undefined);
    assert.equal(unused.inputs.type, "ORGANIZATION_UNUSED_ACCESS");
    assert.equal(unused.inputs.analyzerName, "mlz-org-unused-access");
    assert.deepEqual(unused.inputs.configuration, { unusedAccess: { unusedAccessAge: 90 } });
    assert.equal(await promiseOf(result.externalAccessArn), external.outputs.arn);
  });

  it("refuses an unused-access age outside 1–365 days", async () => {
    await assert.rejects(recordProgram(() => new OrganizationAccessAnalyzers("a", { unusedAccessAgeDays: 400 })), {
      message: "[unusedAccessAgeDays] must be a whole number of days from 1 to 365; got 400",
    });
  });
});
