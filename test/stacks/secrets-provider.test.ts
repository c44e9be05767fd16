import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, parseStackFileText, readStackConfigFile, readStackFile, STACKS_DIR } from "../../stacks/config";
import { awsKmsSecretsProvider, checkSecretsProviders, secretsProviderIssues } from "../../stacks/secrets-provider";

const KEY = "arn:aws:kms:us-east-1:222222222222:key/0d6f2f1e-3c4b-4a59-9e8d-7b6a5c4d3e2f";

describe("secrets provider of the stacks (S3 backend)", () => {
  it("every example stack file names the KMS key of the cicd stack's github.stateKmsKeyArn", () => {
    const cicd = readStackConfigFile("cicd");
    assert.equal(cicd.role, "cicd");
    const key = cicd.role === "cicd" ? cicd.github.stateKmsKeyArn : undefined;
    assert.equal(key, KEY);
    assert.deepEqual(listStacks().map((s) => readStackFile(s).secretsProvider), listStacks().map(() => `awskms:///${KEY}?region=us-east-1`));
    assert.doesNotThrow(() => checkSecretsProviders(key));
  });

  it("names each stack file without the provider, or with another one, and requires the key", () => {
    const file = (stack: string, provider?: string) => parseStackFileText(stack, `${provider ? `secretsprovider: ${provider}\n` : ""}config:\n  ml-landing-zone:role: workload\n`);
    assert.equal(awsKmsSecretsProvider(KEY), `awskms:///${KEY}?region=us-east-1`);
    assert.deepEqual(secretsProviderIssues([file("qa", awsKmsSecretsProvider(KEY)), file("prod"), file("ml", "passphrase")], KEY), [
      `stacks/Pulumi.prod.yaml: secretsprovider: is required (every pulumi command on the S3 backend needs a secrets provider): expected 'awskms:///${KEY}?region=us-east-1'`,
      `stacks/Pulumi.ml.yaml: secretsprovider: expected 'awskms:///${KEY}?region=us-east-1' (the key of ml-landing-zone:github.stateKmsKeyArn in stacks/Pulumi.cicd.yaml); got 'passphrase'`,
    ]);
    assert.match(secretsProviderIssues([], undefined)[0], /ml-landing-zone:github\.stateKmsKeyArn: is required/);
  });

  it("the cicd program refuses stack files without the provider (the check reads every stack file)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-secrets-"));
    try {
      for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
      const qa = path.join(dir, "Pulumi.qa.yaml");
      fs.writeFileSync(qa, fs.readFileSync(qa, "utf8").replace(/^secretsprovider: .*\n/m, ""));
      assert.throws(() => checkSecretsProviders(KEY, dir), { message: new RegExp(`^${path.relative(process.cwd(), qa).replace(/[.]/g, "\\.")}: secretsprovider: is required`) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
