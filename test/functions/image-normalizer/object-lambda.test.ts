import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import sharp from "sharp";
import { mockClient } from "aws-sdk-client-mock";
import { S3Client, WriteGetObjectResponseCommand } from "@aws-sdk/client-s3";
import { createObjectLambdaHandler, s3ErrorCode, type ObjectLambdaEvent } from "../../../functions/image-normalizer/object-lambda";
import { normalizeImage } from "../../../functions/image-normalizer/core";

const ROCKET = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "rocket.jpg"));
const LIMITS = { maxInputBytes: 200_000, maxInputPixels: 1_000_000 };
const ROUTE = "io-use1-001";
const TOKEN = "1122334455667788";

/** The original objects, as the presigned inputS3Url would serve them; records every request. */
const requests: string[] = [];
const server = http.createServer((req, res) => {
  requests.push(`${req.method} ${req.url}`);
  const url = req.url ?? "";
  if (url.startsWith("/raw/rocket.jpg")) {
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": ROCKET.length });
    res.end(ROCKET);
  } else if (url.startsWith("/raw/notes.txt")) {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("not an image\n");
  } else if (url.startsWith("/raw/empty.jpg")) {
    res.writeHead(200, { "content-length": 0 });
    res.end();
  } else if (url.startsWith("/raw/truncated.jpg")) {
    res.writeHead(200, { "content-type": "image/jpeg" });
    res.end(ROCKET.subarray(0, 50_000));
  } else if (url.startsWith("/raw/huge.jpg")) {
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": 300_000 });
    res.write(Buffer.alloc(1000)); // declared too large: the handler must not wait for the rest
  } else if (url.startsWith("/raw/streamed-huge.jpg")) {
    // No content-length (chunked): the limit must be enforced while reading.
    res.writeHead(200, { "content-type": "image/jpeg" });
    let sent = 0;
    const push = (): void => {
      if (res.destroyed || sent > 10_000_000) {
        res.end();
        return;
      }
      res.write(Buffer.alloc(64 * 1024, 1));
      sent += 64 * 1024;
      setImmediate(push);
    };
    push();
  } else if (url.startsWith("/raw/missing.jpg")) {
    res.writeHead(404, { "content-type": "application/xml" });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
  } else {
    res.writeHead(403, { "content-type": "application/xml" });
    res.end("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  }
});

let base = "";
const s3 = mockClient(S3Client);
const logs: string[] = [];
const { log: origLog, error: origError } = console;

function event(key: string): ObjectLambdaEvent {
  return {
    xAmzRequestId: "req-1",
    getObjectContext: { inputS3Url: `${base}/${key}?X-Amz-Signature=abc`, outputRoute: ROUTE, outputToken: TOKEN },
    userRequest: { url: `https://olap-123456789012.s3-object-lambda.us-east-1.amazonaws.com/${key}` },
  };
}

describe("image-normalizer Object Lambda handler", () => {
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    s3.reset();
    s3.on(WriteGetObjectResponseCommand).resolves({});
    requests.length = 0;
    logs.length = 0;
    // Node's own process warnings (e.g. the SDK's Node version notice) pass through; the rest is the function's JSON.
    const capture = (pass: (...a: unknown[]) => void) => (s: unknown, ...rest: unknown[]) =>
      typeof s === "string" && s.startsWith("(node:") ? pass(s, ...rest) : void logs.push(String(s));
    console.log = capture(origLog);
    console.error = capture(origError);
  });
  afterEach(() => {
    console.log = origLog;
    console.error = origError;
  });

  const handler = () => createObjectLambdaHandler({ limits: LIMITS }, new S3Client({ region: "us-east-1" }));

  function onlyAnswer() {
    const calls = s3.commandCalls(WriteGetObjectResponseCommand);
    assert.equal(calls.length, 1, "exactly one WriteGetObjectResponse");
    assert.equal(s3.calls().length, 1, "no other S3 call");
    return calls[0].args[0].input;
  }

  it("reads inputS3Url and answers 200 with the normalized JPEG", async () => {
    assert.deepEqual(await handler()(event("raw/rocket.jpg")), { statusCode: 200 });
    assert.deepEqual(requests, ["GET /raw/rocket.jpg?X-Amz-Signature=abc"]);
    const { Body, ...rest } = onlyAnswer();
    const expected = await normalizeImage(ROCKET, LIMITS);
    assert.deepEqual(rest, { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 200, ContentType: "image/jpeg", ContentLength: expected.length });
    assert.ok(Buffer.isBuffer(Body));
    assert.ok(expected.equals(Body as Buffer), "the body is normalizeImage's output");
    const meta = await sharp(Body as Buffer).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ["jpeg", 256, 256, 1]);
    assert.deepEqual(logs.map((l) => JSON.parse(l)), [{ level: "info", message: "normalized", requestId: "req-1", inputBytes: ROCKET.length, outputBytes: expected.length }]);
  });

  for (const [key, code, message] of [
    ["raw/notes.txt", "NotAnImage", "input is not an image in a known format"],
    ["raw/empty.jpg", "NotAnImage", "input is empty (0 bytes)"],
    ["raw/truncated.jpg", "Corrupt", "jpeg image does not decode: VipsJpeg: premature end of JPEG image"],
    ["raw/huge.jpg", "TooLarge", "object is 300000 bytes; at most 200000 are accepted"],
    ["raw/streamed-huge.jpg", "TooLarge", "object is more than 200000 bytes; at most 200000 are accepted"],
  ] as const) {
    it(`${key}: answers 400 ${code} instead of failing`, async () => {
      assert.deepEqual(await handler()(event(key)), { statusCode: 200 });
      assert.deepEqual(onlyAnswer(), { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 400, ErrorCode: code, ErrorMessage: message });
    });
  }

  it("an image over the pixel limit answers 400 TooLarge", async () => {
    const h = createObjectLambdaHandler({ limits: { maxInputBytes: 200_000, maxInputPixels: 100_000 } }, new S3Client({ region: "us-east-1" }));
    await h(event("raw/rocket.jpg"));
    assert.deepEqual(onlyAnswer(), { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 400, ErrorCode: "TooLarge", ErrorMessage: "image is 640 × 427 = 273280 pixels; at most 100000 are accepted" });
  });

  it("forwards S3's status and code when the original cannot be read", async () => {
    await handler()(event("raw/missing.jpg"));
    assert.deepEqual(onlyAnswer(), { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 404, ErrorCode: "NoSuchKey", ErrorMessage: "reading the original object answered HTTP 404" });
    s3.resetHistory();
    await handler()(event("raw/secret.jpg"));
    assert.deepEqual(onlyAnswer(), { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 403, ErrorCode: "AccessDenied", ErrorMessage: "reading the original object answered HTTP 403" });
  });

  it("an unreachable inputS3Url answers 500 InternalError", async () => {
    const h = createObjectLambdaHandler({ limits: LIMITS }, new S3Client({ region: "us-east-1" }), async () => { throw new TypeError("fetch failed"); });
    await h(event("raw/rocket.jpg"));
    assert.deepEqual(onlyAnswer(), { RequestRoute: ROUTE, RequestToken: TOKEN, StatusCode: 500, ErrorCode: "InternalError", ErrorMessage: "the image could not be normalized" });
    assert.deepEqual(JSON.parse(logs[0]), { level: "error", message: "failed", requestId: "req-1", error: "fetch failed" });
  });

  it("a failed WriteGetObjectResponse fails the invocation", async () => {
    s3.on(WriteGetObjectResponseCommand).rejects(new Error("ValidationError: invalid token"));
    await assert.rejects(handler()(event("raw/rocket.jpg")), /invalid token/);
  });

  it("s3ErrorCode reads <Code> of an S3 error body", () => {
    assert.equal(s3ErrorCode("<Error><Code>SlowDown</Code></Error>"), "SlowDown");
    assert.equal(s3ErrorCode("gateway timeout"), undefined);
  });
});
