/**
 * S3 GetObject as a signed REST call, for the smoke test's known image.
 *
 * Why not `@aws-sdk/client-s3`: it is not installed in this repository (only the Rekognition,
 * SageMaker, SageMaker Runtime, SSM and STS clients are), and adding a dependency is the lead's
 * call. A single GET of one object needs no more than Signature Version 4, which the installed SDK
 * ships as `@smithy/signature-v4` (a dependency of every installed client), with SHA-256 from
 * `node:crypto`.
 *
 * The request goes to the regional endpoint (`<bucket>.s3.<region>.amazonaws.com`, or path style
 * for bucket names with dots, which virtual-hosted TLS certificates do not cover), so that from
 * private subnets it travels through the VPC's S3 gateway endpoint.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The part of WHATWG `fetch` used here (Node's global `fetch` satisfies it; tests inject one). */
export type FetchLike = (
  url: string,
  init: { method: "GET"; headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the SDK's signer expects. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(this.secret));
  }

  update(chunk: SourceData): void {
    this.hash.update(toBuffer(chunk));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

/** RFC 3986 encoding of each key segment, as S3's canonical URI wants it ('/' kept). */
export function encodeKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

/** Host and path of an object on the regional endpoint. */
export function objectLocation(region: string, bucket: string, key: string): { hostname: string; path: string } {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  if (bucket.includes(".")) {
    return { hostname: `s3.${region}.${suffix}`, path: `/${bucket}/${encodeKey(key)}` };
  }
  return { hostname: `${bucket}.s3.${region}.${suffix}`, path: `/${encodeKey(key)}` };
}

/**
 * Signs a GET of `https://<hostname><path>` for S3 (Signature Version 4, service `s3`, payload hash
 * header, path not re-escaped). Returns the URL and every header to send.
 */
export async function signedGet(
  target: { hostname: string; path: string },
  credentials: AwsCredentials,
  region: string,
  signingDate: Date,
  extraHeaders: Record<string, string> = {},
): Promise<{ url: string; headers: Record<string, string> }> {
  const signer = new SignatureV4({ service: "s3", region, credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: true });
  const signed = await signer.sign(
    { method: "GET", protocol: "https:", hostname: target.hostname, path: target.path, query: {}, headers: { host: target.hostname, ...extraHeaders } },
    { signingDate },
  );
  return { url: `https://${target.hostname}${target.path}`, headers: { ...signed.headers } };
}

export type S3ObjectFailure = "NotFound" | "Denied" | "TooLarge" | "Failed";

/** A GetObject that did not return the object; `s3Code` is S3's error code when it sent one. */
export class S3ObjectError extends Error {
  constructor(
    public readonly kind: S3ObjectFailure,
    message: string,
    public readonly status?: number,
    public readonly s3Code?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "S3ObjectError";
  }
}

function xmlField(xml: string, field: string): string | undefined {
  return new RegExp(`<${field}>([^<]*)</${field}>`).exec(xml)?.[1];
}

export interface GetObjectRequest {
  region: string;
  bucket: string;
  key: string;
  /** Refuse an object larger than this many bytes (without reading it when S3 sends its length). */
  maxBytes: number;
  credentials: () => Promise<AwsCredentials>;
  fetch?: FetchLike;
  /** Signing time. Defaults to now. */
  now?: () => Date;
  /** Abort the request after this many milliseconds. Defaults to 10,000. */
  timeoutMs?: number;
}

/** GETs one object and returns its bytes, or throws an `S3ObjectError` saying why not. */
export async function getS3Object(request: GetObjectRequest): Promise<Uint8Array> {
  const { region, bucket, key, maxBytes } = request;
  const uri = `s3://${bucket}/${key}`;
  const fetchFn: FetchLike = request.fetch ?? ((url, init) => fetch(url, init));
  let credentials: AwsCredentials;
  try {
    credentials = await request.credentials();
  } catch (e) {
    throw new S3ObjectError("Failed", `no credentials to read '${uri}': ${(e as Error)?.message ?? String(e)}`, undefined, undefined, e);
  }
  const { url, headers: signedHeaders } = await signedGet(objectLocation(region, bucket, key), credentials, region, request.now?.() ?? new Date());
  // `fetch` derives Host from the URL (the signed value is the same); it is not a header to set.
  const { host: _host, ...headers } = signedHeaders;

  let response: Response;
  try {
    response = await fetchFn(url, { method: "GET", headers, signal: AbortSignal.timeout(request.timeoutMs ?? 10_000) });
  } catch (e) {
    throw new S3ObjectError("Failed", `GET '${uri}' failed: ${(e as Error)?.message ?? String(e)}`, undefined, undefined, e);
  }

  if (response.status !== 200) {
    const body = await response.text().catch(() => "");
    const s3Code = xmlField(body, "Code");
    const s3Message = xmlField(body, "Message") ?? response.statusText;
    const detail = `HTTP ${response.status}${s3Code ? ` ${s3Code}` : ""}${s3Message ? `: ${s3Message}` : ""}`;
    if (response.status === 404) throw new S3ObjectError("NotFound", detail, response.status, s3Code);
    if (response.status === 403) throw new S3ObjectError("Denied", detail, response.status, s3Code);
    throw new S3ObjectError("Failed", detail, response.status, s3Code);
  }

  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new S3ObjectError("TooLarge", `'${uri}' is ${declared} bytes, more than the ${maxBytes} allowed`, response.status);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > maxBytes) {
    throw new S3ObjectError("TooLarge", `'${uri}' is ${bytes.byteLength} bytes, more than the ${maxBytes} allowed`, response.status);
  }
  return bytes;
}
