import { strict as assert } from "node:assert";
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from "jose";
import type { CloudFrontRequest } from "aws-lambda";
import { createVerifier, parsePaywallConfig, paywall, tokenOf, type PaywallConfig } from "../../../functions/narration-paywall/core";

const AUDIENCE = "narration.example-news.com";

function request(uri: string, headers: Record<string, string> = {}): CloudFrontRequest {
  return {
    clientIp: "203.0.113.9",
    method: "GET",
    uri,
    querystring: "",
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [{ key: k, value: v }]])),
  };
}

describe("narration-paywall", () => {
  let privateKey: KeyLike;
  let otherKey: KeyLike;
  let config: PaywallConfig;
  const now = Math.floor(Date.now() / 1000);

  before(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    config = parsePaywallConfig(JSON.stringify({ publicKeyPem: await exportSPKI(pair.publicKey), algorithm: "RS256", audience: AUDIENCE, cookieName: "mlz_subscriber" }));
  });

  const sign = (claims: { aud?: string; exp?: number }, key: KeyLike = privateKey) => {
    const jwt = new SignJWT({ sub: "subscriber-42", plan: "digital" }).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now - 60);
    if (claims.aud !== undefined) jwt.setAudience(claims.aud);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(key);
  };

  const premiumFull = "/premium/rk-1/7/full.mp3";
  const teaser = "/premium/rk-1/7/teaser.mp3";

  it("serves a premium article's full audio to a valid subscriber token (header or cookie)", async () => {
    const check = await createVerifier(config);
    const token = await sign({ aud: AUDIENCE, exp: now + 600 });
    const viaHeader = await paywall(request(premiumFull, { Authorization: `Bearer ${token}` }), check, config.cookieName);
    assert.equal((viaHeader as CloudFrontRequest).uri, premiumFull);
    const viaCookie = await paywall(request(premiumFull, { Cookie: `theme=dark; mlz_subscriber=${token}` }), check, config.cookieName);
    assert.equal((viaCookie as CloudFrontRequest).uri, premiumFull);
  });

  it("serves the teaser, the same way whatever is wrong: none, expired, wrong key, wrong audience, no expiry, alg none, garbage", async () => {
    const check = await createVerifier(config);
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "x", aud: AUDIENCE, exp: now + 600 })).toString("base64url");
    const cases: Record<string, string | undefined> = {
      none: undefined,
      expired: await sign({ aud: AUDIENCE, exp: now - 10 }),
      wrongKey: await sign({ aud: AUDIENCE, exp: now + 600 }, otherKey),
      wrongAudience: await sign({ aud: "other.example.com", exp: now + 600 }),
      noExpiry: await sign({ aud: AUDIENCE }),
      algNone: `${header}.${payload}.`,
      garbage: "not.a.jwt",
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await paywall(request(premiumFull, token ? { Authorization: `Bearer ${token}` } : {}), check, config.cookieName);
      assert.deepEqual(r, { ...request(premiumFull, token ? { Authorization: `Bearer ${token}` } : {}), uri: teaser }, name);
    }
  });

  it("passes free audio and teasers untouched, and answers 404 for any other path", async () => {
    const check = async () => { throw new Error("must not be asked"); };
    for (const uri of ["/free/rk-1/7/full.mp3", teaser]) assert.deepEqual(await paywall(request(uri), check, "c"), request(uri));
    for (const uri of ["/premium/rk-1/7/full.mp3/", "/free/../premium/rk-1/7/full.mp3", "/Premium/rk-1/7/full.mp3", "/premium/rk-1/0/full.mp3", "/latest/rk-1.json", "/"]) {
      const r = await paywall(request(uri), check, "c");
      assert.equal((r as { status: string }).status, "404", uri);
    }
  });

  it("reads the bearer token before the cookie", () => {
    assert.equal(tokenOf(request("/", { Authorization: "Bearer aaa", Cookie: "t=bbb" }), "t"), "aaa");
    assert.equal(tokenOf(request("/", { Cookie: "x=1; t=bbb" }), "t"), "bbb");
    assert.equal(tokenOf(request("/", { Authorization: "Basic Zm9v" }), "t"), undefined);
  });

  it("checks the built-in config, naming the field", () => {
    const base = { publicKeyPem: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", algorithm: "RS256", audience: "a", cookieName: "c" };
    assert.throws(() => parsePaywallConfig(undefined), /bundle must be built with it/);
    assert.throws(() => parsePaywallConfig(JSON.stringify({ ...base, algorithm: "HS256" })), /algorithm must be one of RS256/);
    assert.throws(() => parsePaywallConfig(JSON.stringify({ ...base, publicKeyPem: "secret" })), /publicKeyPem must be an SPKI PEM public key/);
    assert.throws(() => parsePaywallConfig(JSON.stringify({ ...base, audience: "" })), /audience must be a non-empty string/);
    assert.throws(() => parsePaywallConfig(JSON.stringify({ ...base, cookieName: "a b" })), /cookieName must be/);
    assert.deepEqual(parsePaywallConfig(JSON.stringify(base)), { ...base, clockToleranceSeconds: 0 });
  });
});
