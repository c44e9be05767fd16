import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { SecureBucket } from "../../storage/secure-bucket";
import { rewriteManifest } from "./manifest";
import { dataAccessStatements, serviceTrust } from "./policies";
import { makeRecognizerTrainingProvider, RECOGNIZER_TRAINING_KIND, type RecognizerTrainingInputs } from "./recognizer-training-provider";

const trainingProvider = makeRecognizerTrainingProvider();

/** The training dynamic resource (`kind: mlz:comprehend:EntityRecognizerTraining`). */
class RecognizerTraining extends pulumi.dynamic.Resource {
  public declare readonly versionArn: pulumi.Output<string>;
  public declare readonly status: pulumi.Output<string>;
  constructor(name: string, props: { [K in keyof RecognizerTrainingInputs]: pulumi.Input<RecognizerTrainingInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    super(trainingProvider, name, { versionArn: undefined, status: undefined, ...props }, opts);
  }
}

/** The ten entity types of the insurance demand letters (case-sensitive, as annotated). */
export const LEGAL_ENTITY_TYPES = [
  "Law Firm", "Law Office Address", "Insurance Company", "Insurance Company Address", "Policy Holder Name",
  "Beneficiary Name", "Policy Number", "Payout", "Required Action", "Sender",
] as const;

export const DEFAULT_SOURCE_PREFIX = "source/";
export const DEFAULT_ANNOTATIONS_PREFIX = "annotations/";
export const DEFAULT_MANIFEST_KEY = "manifests/output.manifest";

export interface EntityRecognizerTrainingArgs {
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Training bucket name (globally unique, known before deployment). Required. */
  readonly bucketName: string;
  /** Text of the Ground Truth augmented manifest (JSON lines) to rewrite for the bucket. Required. */
  readonly manifestText: string;
  /** Where the manifest text came from, for messages. Defaults to `manifest`. */
  readonly manifestFile?: string;
  /** The labeling job's attribute name in the manifest. Required. */
  readonly attributeName: string;
  /** Prefix of the source PDFs. Defaults to `source/`. */
  readonly sourcePrefix?: string;
  /** Prefix of the annotation files. Defaults to `annotations/`. */
  readonly annotationsPrefix?: string;
  /** Key of the rewritten manifest. Defaults to `manifests/output.manifest`. */
  readonly manifestKey?: string;
  /** Entity types (1–25, each label of the manifest). Defaults to the ten legal entity types. */
  readonly entityTypes?: readonly string[];
  /** Recognizer name. Required. */
  readonly recognizerName: string;
  /** Version name; change it to train a new version. Required when `train`. */
  readonly versionName?: string;
  /** Declare the recognizer (start training). Defaults to false: bucket, manifest and role only. */
  readonly train?: boolean;
  /**
   * How training is declared. `provider` (default): a dynamic resource that calls
   * CreateEntityRecognizer and returns at once, so `pulumi up` never waits for training.
   * `pulumi-aws`: `aws.comprehend.EntityRecognizer`, which waits until the version is TRAINED
   * (its create timeout, 60 minutes by default, is shorter than this dataset's training).
   */
  readonly trainWith?: "provider" | "pulumi-aws";
  /** Region of the stack (for the dynamic provider). Required with `trainWith: provider`. */
  readonly region?: string;
  /** Role the dynamic provider assumes (the account's deploy role). Defaults to ambient credentials. */
  readonly assumeRoleArn?: pulumi.Input<string>;
  /** Let `pulumi destroy` empty the bucket. Defaults to false. */
  readonly forceDestroy?: boolean;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Checks the args and rewrites the manifest; throws naming the arg. */
export function prepareTraining(args: EntityRecognizerTrainingArgs): { manifest: string; labels: string[]; entityTypes: string[]; sourcePrefix: string; annotationsPrefix: string; manifestKey: string } {
  const sourcePrefix = args.sourcePrefix ?? DEFAULT_SOURCE_PREFIX;
  const annotationsPrefix = args.annotationsPrefix ?? DEFAULT_ANNOTATIONS_PREFIX;
  const manifestKey = args.manifestKey ?? DEFAULT_MANIFEST_KEY;
  if (!/^([^/*?]+\/)+[^/*?]+$/.test(manifestKey)) throw new Error(`[manifestKey] must be an object key inside a prefix (e.g. 'manifests/output.manifest'); got '${manifestKey}'`);
  if (!NAME.test(args.recognizerName)) throw new Error(`[recognizerName] must be 1-63 letters, digits or inner dashes; got '${args.recognizerName}'`);
  if (args.train && (args.versionName === undefined || !NAME.test(args.versionName))) {
    throw new Error(`[versionName] must be 1-63 letters, digits or inner dashes when training; got '${args.versionName ?? ""}'`);
  }
  const rewritten = rewriteManifest(args.manifestText, { bucket: args.bucketName, sourcePrefix, annotationsPrefix, attributeName: args.attributeName }, args.manifestFile ?? "manifest");
  const entityTypes = [...(args.entityTypes ?? LEGAL_ENTITY_TYPES)];
  if (entityTypes.length < 1 || entityTypes.length > 25) throw new Error(`[entityTypes] must hold 1 to 25 types; got ${entityTypes.length}`);
  const missing = entityTypes.filter((t) => !rewritten.labels.includes(t));
  if (missing.length > 0) {
    throw new Error(`[entityTypes] ${missing.map((t) => `'${t}'`).join(", ")} not labeled in the manifest (labels are case-sensitive: ${rewritten.labels.join(", ")})`);
  }
  return { manifest: rewritten.text, labels: rewritten.labels, entityTypes, sourcePrefix, annotationsPrefix, manifestKey };
}

/**
 * Comprehend custom entity recognition training in the ML account: a KMS key, the training bucket
 * (SSE-KMS with that key), the augmented manifest rewritten for the bucket, a data-access role that
 * `comprehend.amazonaws.com` (this account only) assumes to read exactly the source, annotation and
 * manifest prefixes, and with `train` the recognizer (`aws.comprehend.EntityRecognizer`: augmented
 * manifest, semi-structured documents (PDF/Word), the entity types, KMS for volume and model),
 * started by a dynamic resource that returns at once (`trainWith: provider`, the default) or as
 * `aws.comprehend.EntityRecognizer` (`trainWith: pulumi-aws`, which waits for training).
 *
 * The letters and annotation files are copied to the bucket by the user (README); the recognizer
 * is declared only with `train`, once they are there. Each version is its own resource name, so a
 * new `versionName` trains a new version and keeps the old one (`retainOnDelete`) for the
 * environments still using it.
 */
export class EntityRecognizerTraining extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly kmsKey: aws.kms.Key;
  public readonly dataAccessRole: aws.iam.Role;
  public readonly manifestUri: pulumi.Output<string>;
  /** The recognizer version's ARN; undefined without `train`. */
  public readonly versionArn?: pulumi.Output<string>;

  constructor(name: string, args: EntityRecognizerTrainingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:EntityRecognizerTraining", name, {}, opts);
    const p = prepareTraining(args);
    const parent = { parent: this };
    const manifestPrefix = p.manifestKey.slice(0, p.manifestKey.lastIndexOf("/") + 1);

    this.kmsKey = new aws.kms.Key(`${name}-key`, {
      description: "Comprehend entity recognizer: training data, training volumes, model",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    this.bucket = new SecureBucket(`${name}-training`, { bucketName: args.bucketName, kmsKeyArn: this.kmsKey.arn, forceDestroy: args.forceDestroy }, parent);
    const manifest = new aws.s3.BucketObjectv2(`${name}-manifest`, {
      bucket: this.bucket.bucketName,
      key: p.manifestKey,
      content: p.manifest,
      contentType: "application/x-ndjson",
      serverSideEncryption: "aws:kms",
      kmsKeyId: this.kmsKey.arn,
    }, parent);
    this.manifestUri = pulumi.interpolate`s3://${this.bucket.bucketName}/${p.manifestKey}`;

    this.dataAccessRole = new aws.iam.Role(`${name}-data-access`, {
      description: "Assumed by Amazon Comprehend to train the entity recognizer: reads the source, annotation and manifest prefixes",
      assumeRolePolicy: policyJson(policyDocument([serviceTrust("comprehend.amazonaws.com", args.accountId)])),
    }, parent);
    const permissions = new aws.iam.RolePolicy(`${name}-data-access-permissions`, {
      role: this.dataAccessRole.id,
      policy: policyJson(policyDocument(dataAccessStatements({
        bucketArn: this.bucket.arn,
        readPrefixes: [p.sourcePrefix, p.annotationsPrefix, manifestPrefix],
        kmsKeyArn: this.kmsKey.arn,
      }))),
    }, parent);

    if (args.train && (args.trainWith ?? "provider") === "provider") {
      if (!args.region) throw new Error("[region] is required to train with the dynamic provider");
      const training = new RecognizerTraining(`${name}-${args.versionName}`, {
        kind: RECOGNIZER_TRAINING_KIND,
        recognizerName: args.recognizerName,
        versionName: args.versionName!,
        region: args.region,
        dataAccessRoleArn: this.dataAccessRole.arn,
        manifestS3Uri: this.manifestUri,
        attributeName: args.attributeName,
        annotationDataS3Uri: pulumi.interpolate`s3://${this.bucket.bucketName}/${p.annotationsPrefix}`,
        sourceDocumentsS3Uri: pulumi.interpolate`s3://${this.bucket.bucketName}/${p.sourcePrefix}`,
        entityTypes: p.entityTypes,
        kmsKeyArn: this.kmsKey.arn,
        ...(args.assumeRoleArn !== undefined ? { assumeRoleArn: args.assumeRoleArn } : {}),
      }, { parent: this, dependsOn: [permissions, manifest] });
      this.versionArn = training.versionArn;
    } else if (args.train) {
      const recognizer = new aws.comprehend.EntityRecognizer(`${name}-${args.versionName}`, {
        name: args.recognizerName,
        versionName: args.versionName,
        languageCode: "en",
        dataAccessRoleArn: this.dataAccessRole.arn,
        inputDataConfig: {
          dataFormat: "AUGMENTED_MANIFEST",
          augmentedManifests: [{
            s3Uri: this.manifestUri,
            attributeNames: [args.attributeName],
            documentType: "SEMI_STRUCTURED_DOCUMENT",
            annotationDataS3Uri: pulumi.interpolate`s3://${this.bucket.bucketName}/${p.annotationsPrefix}`,
            sourceDocumentsS3Uri: pulumi.interpolate`s3://${this.bucket.bucketName}/${p.sourcePrefix}`,
            split: "TRAIN",
          }],
          entityTypes: p.entityTypes.map((type) => ({ type })),
        },
        volumeKmsKeyId: this.kmsKey.arn,
        modelKmsKeyId: this.kmsKey.arn,
      }, { parent: this, dependsOn: [permissions, manifest], retainOnDelete: true });
      this.versionArn = recognizer.arn;
    }

    this.registerOutputs({
      bucket: this.bucket,
      kmsKey: this.kmsKey,
      dataAccessRole: this.dataAccessRole,
      manifestUri: this.manifestUri,
      versionArn: this.versionArn,
    });
  }
}
