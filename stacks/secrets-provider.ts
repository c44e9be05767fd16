/**
 * The Pulumi secrets provider of every stack. On the S3 (DIY) backend every `pulumi` command needs
 * one, even for a stack without secrets. This landing zone uses AWS KMS: one key in the CI/CD
 * account (`github.stateKmsKeyArn` of the cicd stack), whose use the cicd stack grants to exactly the
 * GitHub deploy roles (encrypt and decrypt) and preview roles (decrypt), so CI holds no passphrase.
 * Each stack file records it at the top level, beside `config`:
 *
 *   secretsprovider: awskms:///arn:aws:kms:<region>:<cicd account>:key/<key id>?region=<region>
 *   encryptedkey: <written by `pulumi stack init --secrets-provider …`>
 */
import { listStacks, readStackFile, type StackFile } from "./config";

/** `awskms:///<key ARN>?region=<the key's region>`: the form Pulumi takes a key ARN in. */
export function awsKmsSecretsProvider(keyArn: string): string {
  const region = keyArn.split(":")[3];
  return `awskms:///${keyArn}?region=${region}`;
}

/** One message per stack file whose secrets provider is not the state key's (empty when all are). */
export function secretsProviderIssues(files: StackFile[], keyArn: string | undefined): string[] {
  if (keyArn === undefined) {
    return ["stacks/Pulumi.cicd.yaml: ml-landing-zone:github.stateKmsKeyArn: is required: the KMS key of the stacks' secrets provider (every stack file's secretsprovider), whose use the cicd stack grants to the GitHub roles"];
  }
  const expected = awsKmsSecretsProvider(keyArn);
  return files.filter((f) => f.secretsProvider !== expected).map((f) => f.secretsProvider === undefined
    ? `${f.file}: secretsprovider: is required (every pulumi command on the S3 backend needs a secrets provider): expected '${expected}'`
    : `${f.file}: secretsprovider: expected '${expected}' (the key of ml-landing-zone:github.stateKmsKeyArn in stacks/Pulumi.cicd.yaml); got '${f.secretsProvider}'`);
}

/** Throws naming every stack file of `dir` whose secrets provider is not `keyArn`'s. */
export function checkSecretsProviders(keyArn: string | undefined, dir?: string): void {
  const stacks = dir === undefined ? listStacks() : listStacks(dir);
  const files = stacks.map((s) => (dir === undefined ? readStackFile(s) : readStackFile(s, dir)));
  const issues = secretsProviderIssues(files, keyArn);
  if (issues.length > 0) throw new Error(issues.join("\n"));
}
