import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  encodeKey,
  getS3Object,
  NodeSha256,
  objectLocation,
  S3ObjectError,
  signedGet,
  type FetchLike,
} from "../../../functions/model-smoke-test/s3-object";

/** Real image (scikit-image `coffee.png`, see test/fixtures/images/README.md). */
const COFFEE = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "coffee.png"));
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const FUNCTION_CREDS = { accessKeyId: "ASIAFUNCTION", secretAccessKey: "function-secret", sessionToken: "function-token" };
const SIGNED_AT = new Date("2026-11-26T12:34:56Z");

interface Sent { url: string; method: string; headers: Record<string, string> }

/** A fetch that records each request and answers with `respond`. */
function recordingFetch(respond: (url: string) => Response) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, method: init.method, headers: { ...init.headers } });
    return respond(url);
  };
  return { sent, fetch };
}

const s3Error = (status: number, code: string, message: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`, {
    status,
    headers: { "content-type": "application/xml" },
  });

async function rejection(run: Promise<unknown>): Promise<S3ObjectError> {
  try {
    await run;
  } catch (e) {
    assert.ok(e instanceof S3ObjectError, `expected an S3ObjectError, got ${e}`);
    return e;
  }
  throw new Error("expected the read to fail");
}

const request = (fetch: FetchLike, overrides: Partial<Parameters<typeof getS3Object>[0]> = {}) => ({
  region: "us-east-1",
  bucket: "mlz-qa-smoke-images",
  key: "defect-detector/known defect.png",
  maxBytes: 4 * 1024 * 1024,
  credentials: async () => FUNCTION_CREDS,
  fetch,
  now: () => SIGNED_AT,
  ...overrides,
});

describe("S3 GetObject over signed REST", () => {
  it("signs exactly as AWS's documented S3 example (GET /test.txt with a Range header)", async () => {
    // Signature Version 4 example of the Amazon S3 API reference ("Example: GET Object").
    const signed = await signedGet(
      { hostname: "examplebucket.s3.amazonaws.com", path: "/test.txt" },
      { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      "us-east-1",
      new Date("2013-05-24T00:00:00Z"),
      { range: "bytes=0-9" },
    );
    assert.deepEqual(signed, {
      url: "https://examplebucket.s3.amazonaws.com/test.txt",
      headers: {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-date": "20130524T000000Z",
        "x-amz-content-sha256": EMPTY_SHA256,
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
      },
    });
  });

  it("hashes and HMACs like node:crypto's SHA-256", async () => {
    const plain = new NodeSha256();
    plain.update(new TextEncoder().encode("abc"));
    assert.equal(Buffer.from(await plain.digest()).toString("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const hmac = new NodeSha256("key");
    hmac.update(new TextEncoder().encode("The quick brown fox jumps over the lazy dog"));
    assert.equal(Buffer.from(await hmac.digest()).toString("hex"), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    hmac.reset();
    assert.equal(Buffer.from(await hmac.digest()).toString("hex"), "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
  });

  it("addresses the regional endpoint, virtual-hosted or (for dotted names) path style, with the key RFC 3986-encoded", () => {
    assert.deepEqual(objectLocation("us-east-1", "mlz-qa-smoke-images", "a/b c+d(1)!.png"), {
      hostname: "mlz-qa-smoke-images.s3.us-east-1.amazonaws.com",
      path: "/a/b%20c%2Bd%281%29%21.png",
    });
    assert.deepEqual(objectLocation("eu-west-1", "images.example.com", "k.jpg"), { hostname: "s3.eu-west-1.amazonaws.com", path: "/images.example.com/k.jpg" });
    assert.deepEqual(objectLocation("cn-north-1", "b-1", "k"), { hostname: "b-1.s3.cn-north-1.amazonaws.com.cn", path: "/k" });
    assert.equal(encodeKey("ä/~_-."), "%C3%A4/~_-.");
  });

  it("GETs the object with the caller's credentials and returns exactly its bytes", async () => {
    const { sent, fetch } = recordingFetch(() => new Response(COFFEE, { status: 200, headers: { "content-length": String(COFFEE.byteLength), "content-type": "image/png" } }));
    const bytes = await getS3Object(request(fetch));
    assert.deepEqual(Buffer.from(bytes), COFFEE);
    assert.equal(bytes.byteLength, 466_706);
    assert.deepEqual(sent, [{
      url: "https://mlz-qa-smoke-images.s3.us-east-1.amazonaws.com/defect-detector/known%20defect.png",
      method: "GET",
      headers: {
        "x-amz-date": "20261126T123456Z",
        "x-amz-security-token": "function-token",
        "x-amz-content-sha256": EMPTY_SHA256,
        authorization:
          // Pinned: the signer is checked against AWS's own vector above; this fixes the inputs it signs.
          "AWS4-HMAC-SHA256 Credential=ASIAFUNCTION/20261126/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=28dd721f48c2b8540c4aeb1494429b99a08b96b4cb09d5e719c6262412384a1b",
      },
    }]);
  });

  it("reads a body without Content-Length and still checks its size", async () => {
    const { fetch } = recordingFetch(() => new Response(new Blob([COFFEE]).stream(), { status: 200 }));
    const e = await rejection(getS3Object(request(fetch, { maxBytes: 466_705 })));
    assert.equal(e.kind, "TooLarge");
    assert.equal(e.message, "'s3://mlz-qa-smoke-images/defect-detector/known defect.png' is 466706 bytes, more than the 466705 allowed");
    const ok = await getS3Object(request(recordingFetch(() => new Response(new Blob([COFFEE]).stream(), { status: 200 })).fetch, { maxBytes: 466_706 }));
    assert.deepEqual(Buffer.from(ok), COFFEE);
  });

  it("refuses an object whose declared length is over the limit without reading it", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    }, { highWaterMark: 0 });
    const { fetch } = recordingFetch(() => new Response(body, { status: 200, headers: { "content-length": String(4 * 1024 * 1024 + 1) } }));
    const e = await rejection(getS3Object(request(fetch)));
    assert.equal(e.kind, "TooLarge");
    assert.equal(e.status, 200);
    assert.equal(e.message, "'s3://mlz-qa-smoke-images/defect-detector/known defect.png' is 4194305 bytes, more than the 4194304 allowed");
    assert.equal(pulled, 0);
  });

  it("tells a missing object, a denied read and other failures apart, with S3's code and message", async () => {
    const cases: [Response, string, number, string, string][] = [
      [s3Error(404, "NoSuchKey", "The specified key does not exist."), "NotFound", 404, "NoSuchKey", "HTTP 404 NoSuchKey: The specified key does not exist."],
      [s3Error(404, "NoSuchBucket", "The specified bucket does not exist"), "NotFound", 404, "NoSuchBucket", "HTTP 404 NoSuchBucket: The specified bucket does not exist"],
      [s3Error(403, "AccessDenied", "Access Denied"), "Denied", 403, "AccessDenied", "HTTP 403 AccessDenied: Access Denied"],
      [s3Error(503, "SlowDown", "Please reduce your request rate."), "Failed", 503, "SlowDown", "HTTP 503 SlowDown: Please reduce your request rate."],
    ];
    for (const [response, kind, status, code, message] of cases) {
      const e = await rejection(getS3Object(request(recordingFetch(() => response).fetch)));
      assert.deepEqual([e.kind, e.status, e.s3Code, e.message], [kind, status, code, message]);
    }
  });

  it("reports a network failure and a missing identity", async () => {
    const down: FetchLike = async () => { throw new TypeError("fetch failed"); };
    const e = await rejection(getS3Object(request(down)));
    assert.deepEqual([e.kind, e.message], ["Failed", "GET 's3://mlz-qa-smoke-images/defect-detector/known defect.png' failed: fetch failed"]);
    const { sent, fetch } = recordingFetch(() => new Response(COFFEE));
    const noCreds = await rejection(getS3Object(request(fetch, { credentials: async () => { throw new Error("Could not load credentials from any providers"); } })));
    assert.deepEqual([noCreds.kind, noCreds.message], ["Failed", "no credentials to read 's3://mlz-qa-smoke-images/defect-detector/known defect.png': Could not load credentials from any providers"]);
    assert.equal(sent.length, 0);
  });
});
