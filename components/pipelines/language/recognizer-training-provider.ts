/**
 * Pulumi dynamic provider that STARTS training a Comprehend entity recognizer version and returns:
 * `create` calls CreateEntityRecognizer and answers at once with the version's ARN (status
 * `SUBMITTED`); training goes on in Comprehend for hours without holding `pulumi up` or its
 * credentials (PITFALLS: never wait for hours-long jobs inside a provider). The Pulumi AWS
 * provider's `aws.comprehend.EntityRecognizer` instead waits until the version is `TRAINED`.
 *
 * - read (refresh): DescribeEntityRecognizer → `status`.
 * - diff: any input change replaces (a version cannot be changed; a new `versionName` is a new version).
 * - delete: a version still training is stopped (StopTrainingEntityRecognizer); a trained version
 *   is left in Comprehend, since environments may use it (delete it with the AWS CLI when no one does).
 *
 * As in project-version-provider.ts, the SDK is imported inside each function and the client is an
 * argument, so tests drive the logic with aws-sdk-client-mock.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ComprehendClient } from "@aws-sdk/client-comprehend";

export const RECOGNIZER_TRAINING_KIND = "mlz:comprehend:EntityRecognizerTraining";

export interface RecognizerTrainingInputs {
  kind: typeof RECOGNIZER_TRAINING_KIND;
  recognizerName: string;
  versionName: string;
  region: string;
  dataAccessRoleArn: string;
  manifestS3Uri: string;
  attributeName: string;
  annotationDataS3Uri: string;
  sourceDocumentsS3Uri: string;
  entityTypes: string[];
  kmsKeyArn: string;
  /** Role to assume (the account's deploy role); ambient credentials if absent. */
  assumeRoleArn?: string;
}

export interface RecognizerTrainingOutputs extends RecognizerTrainingInputs {
  versionArn: string;
  /** Status last observed (SUBMITTED after create; TRAINING, TRAINED, IN_ERROR… after a refresh). */
  status: string;
}

type Client = Pick<ComprehendClient, "send">;

export async function startTraining(client: Client, i: RecognizerTrainingInputs): Promise<RecognizerTrainingOutputs> {
  const { CreateEntityRecognizerCommand } = await import("@aws-sdk/client-comprehend");
  const out = await client.send(new CreateEntityRecognizerCommand({
    RecognizerName: i.recognizerName,
    VersionName: i.versionName,
    LanguageCode: "en",
    DataAccessRoleArn: i.dataAccessRoleArn,
    InputDataConfig: {
      DataFormat: "AUGMENTED_MANIFEST",
      AugmentedManifests: [{
        S3Uri: i.manifestS3Uri,
        AttributeNames: [i.attributeName],
        DocumentType: "SEMI_STRUCTURED_DOCUMENT",
        AnnotationDataS3Uri: i.annotationDataS3Uri,
        SourceDocumentsS3Uri: i.sourceDocumentsS3Uri,
        Split: "TRAIN",
      }],
      EntityTypes: i.entityTypes.map((Type) => ({ Type })),
    },
    VolumeKmsKeyId: i.kmsKeyArn,
    ModelKmsKeyId: i.kmsKeyArn,
    ClientRequestToken: `mlz-${i.recognizerName}-${i.versionName}`.slice(0, 64),
  }));
  if (!out.EntityRecognizerArn) throw new Error(`CreateEntityRecognizer ${i.recognizerName}/${i.versionName} returned no ARN`);
  return { ...i, versionArn: out.EntityRecognizerArn, status: "SUBMITTED" };
}

export async function describeTraining(client: Client, versionArn: string): Promise<string | undefined> {
  const { DescribeEntityRecognizerCommand } = await import("@aws-sdk/client-comprehend");
  try {
    const out = await client.send(new DescribeEntityRecognizerCommand({ EntityRecognizerArn: versionArn }));
    return out.EntityRecognizerProperties?.Status ?? "UNKNOWN";
  } catch (e) {
    if ((e as Error).name === "ResourceNotFoundException") return undefined;
    throw e;
  }
}

export async function stopIfTraining(client: Client, o: RecognizerTrainingOutputs): Promise<void> {
  const status = await describeTraining(client, o.versionArn);
  if (status === "SUBMITTED" || status === "TRAINING") {
    const { StopTrainingEntityRecognizerCommand } = await import("@aws-sdk/client-comprehend");
    await client.send(new StopTrainingEntityRecognizerCommand({ EntityRecognizerArn: o.versionArn }));
  }
}

async function clientFor(i: { region: string; assumeRoleArn?: string }): Promise<ComprehendClient> {
  const { ComprehendClient } = await import("@aws-sdk/client-comprehend");
  if (!i.assumeRoleArn) return new ComprehendClient({ region: i.region });
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const out = await new STSClient({ region: i.region }).send(new AssumeRoleCommand({ RoleArn: i.assumeRoleArn, RoleSessionName: "mlz-recognizer-training" }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${i.assumeRoleArn} returned no credentials`);
  return new ComprehendClient({ region: i.region, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
}

export function makeRecognizerTrainingProvider(
  client: (i: RecognizerTrainingInputs) => Promise<Client> = clientFor,
): pulumi.dynamic.ResourceProvider<RecognizerTrainingInputs, RecognizerTrainingOutputs> {
  return {
    async diff(_id, olds, news) {
      const keys = Object.keys({ ...olds, ...news }).filter((k) => k !== "versionArn" && k !== "status" && k !== "assumeRoleArn");
      const replaces = keys.filter((k) => JSON.stringify((olds as unknown as Record<string, unknown>)[k]) !== JSON.stringify((news as unknown as Record<string, unknown>)[k]));
      return { changes: replaces.length > 0 || olds.assumeRoleArn !== news.assumeRoleArn, replaces, deleteBeforeReplace: false };
    },
    async create(inputs) {
      const outs = await startTraining(await client(inputs), inputs);
      return { id: outs.versionArn, outs };
    },
    async update(_id, olds, news) {
      // Only assumeRoleArn changes in place: nothing to tell Comprehend.
      return { outs: { ...olds, ...news, versionArn: olds.versionArn, status: olds.status } };
    },
    async read(id, props) {
      if (!props) return { id, props };
      const status = await describeTraining(await client(props), props.versionArn);
      if (status === undefined) return {};
      return { id, props: { ...props, status } };
    },
    async delete(_id, props) {
      await stopIfTraining(await client(props), props);
    },
  };
}
