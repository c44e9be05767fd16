/**
 * S3 Object Lambda adapter: `GetObject` through the Object Lambda access point arrives here; the
 * original object is read from `getObjectContext.inputS3Url` (a presigned URL carrying the CALLER's
 * identity, so the caller's own permissions on the supporting access point and the KMS key apply)
 * with the platform's `fetch`, normalized, and answered with `WriteGetObjectResponse`.
 *
 * Failures are answered, never thrown (a thrown error leaves the caller waiting for the function's
 * timeout and then a generic error): a non-image, corrupt or oversized object answers status 400
 * with ErrorCode `NotAnImage`, `Corrupt` or `TooLarge` (S3 accepts only a fixed list of statuses
 * for WriteGetObjectResponse: 200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503;
 * error codes must be sentence-cased, `^[A-Z][a-zA-Z]+$`); a failed read of the original forwards
 * S3's own status and code (e.g. 404 `NoSuchKey`, 403 `AccessDenied`); anything else answers 500
 * `InternalError`. An object larger than the byte limit is refused from its Content-Length, or,
 * without one, as soon as the bytes read pass the limit, without reading the rest.
 */
import { WriteGetObjectResponseCommand, type S3Client, type WriteGetObjectResponseCommandInput } from "@aws-sdk/client-s3";
import { normalizeImage, NormalizeError, resolveLimits, type NormalizeLimits } from "./core";
import { log } from "./log";

/** The part of the Object Lambda event this function reads. */
export interface ObjectLambdaEvent {
  xAmzRequestId?: string;
  getObjectContext: { inputS3Url: string; outputRoute: string; outputToken: string };
  userRequest?: { url?: string };
}

export interface ObjectLambdaConfig {
  limits: Required<NormalizeLimits>;
}

/** Statuses WriteGetObjectResponse accepts (S3 API reference, `x-amz-fwd-status`). */
export const FORWARDABLE_STATUSES: ReadonlySet<number> = new Set([200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503]);

type Fetch = typeof fetch;

class UpstreamError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) {
    super(message);
  }
}

/** S3's `<Code>` of an XML error body, when it has one. */
export function s3ErrorCode(body: string): string | undefined {
  const m = /<Code>([A-Z][a-zA-Z]+)<\/Code>/.exec(body);
  return m?.[1];
}

/** Reads the original object, refusing it once it passes `maxBytes`. */
async function readOriginal(url: string, maxBytes: number, fetchImpl: Fetch): Promise<Buffer> {
  const res = await fetchImpl(url);
  if (res.status !== 200) {
    const text = await res.text().catch(() => "");
    const status = FORWARDABLE_STATUSES.has(res.status) ? res.status : res.status >= 500 ? 503 : 500;
    throw new UpstreamError(status, s3ErrorCode(text) ?? "InternalError", `reading the original object answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new NormalizeError("TooLarge", `object is ${declared} bytes; at most ${maxBytes} are accepted`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new NormalizeError("TooLarge", `object is more than ${maxBytes} bytes; at most ${maxBytes} are accepted`);
      }
      chunks.push(Buffer.from(value));
    }
  }
  return Buffer.concat(chunks);
}

export function createObjectLambdaHandler(config: ObjectLambdaConfig, s3: S3Client, fetchImpl: Fetch = fetch) {
  const limits = resolveLimits(config.limits);
  return async (event: ObjectLambdaEvent): Promise<{ statusCode: number }> => {
    const { inputS3Url, outputRoute, outputToken } = event.getObjectContext;
    const base = { RequestRoute: outputRoute, RequestToken: outputToken };
    const requestId = event.xAmzRequestId;
    let answer: WriteGetObjectResponseCommandInput;
    try {
      const original = await readOriginal(inputS3Url, limits.maxInputBytes, fetchImpl);
      const jpeg = await normalizeImage(original, limits);
      answer = { ...base, StatusCode: 200, Body: jpeg, ContentType: "image/jpeg", ContentLength: jpeg.length };
      log("info", "normalized", { requestId, inputBytes: original.length, outputBytes: jpeg.length });
    } catch (e) {
      if (e instanceof NormalizeError) {
        answer = { ...base, StatusCode: 400, ErrorCode: e.code, ErrorMessage: e.message };
        log("warn", "refused", { requestId, code: e.code, error: e.message });
      } else if (e instanceof UpstreamError) {
        answer = { ...base, StatusCode: e.status, ErrorCode: e.code, ErrorMessage: e.message };
        log("warn", "original unreadable", { requestId, status: e.status, code: e.code });
      } else {
        answer = { ...base, StatusCode: 500, ErrorCode: "InternalError", ErrorMessage: "the image could not be normalized" };
        log("error", "failed", { requestId, error: (e as Error).message });
      }
    }
    await s3.send(new WriteGetObjectResponseCommand(answer));
    return { statusCode: 200 };
  };
}
