/**
 * The paywall of narrated articles, for a Lambda@Edge viewer-request trigger: a premium article's
 * full audio goes only to a request carrying a valid subscriber token (a JWT the subscription
 * service signs: signature, expiry, not-before and audience checked by `jose`); every other request
 * for premium audio gets the teaser. The refusal is the same whatever was wrong with the token.
 */
import { importSPKI, jwtVerify, type KeyLike } from "jose";
import type { CloudFrontRequest, CloudFrontResultResponse } from "aws-lambda";

export const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Built into the bundle at deploy time (Lambda@Edge has no environment variables). */
export interface PaywallConfig {
  /** The subscription service's public key (SPKI PEM). */
  publicKeyPem: string;
  /** The one signature algorithm accepted. */
  algorithm: Algorithm;
  /** Required `aud` claim. */
  audience: string;
  /** Required `iss` claim. Defaults to not checked. */
  issuer?: string;
  /** Cookie that may carry the token (besides `Authorization: Bearer`). */
  cookieName: string;
  /** Clock skew tolerated on `exp`/`nbf`, seconds. */
  clockToleranceSeconds: number;
}

/** Checks the built-in config; throws naming the field. */
export function parsePaywallConfig(raw: string | undefined): PaywallConfig {
  if (raw === undefined || raw.trim() === "") throw new Error("paywall config is missing: the bundle must be built with it");
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(raw);
  } catch {
    throw new Error("paywall config is not valid JSON");
  }
  const str = (k: string) => {
    if (typeof c[k] !== "string" || (c[k] as string).trim() === "") throw new Error(`paywall config: ${k} must be a non-empty string`);
    return c[k] as string;
  };
  const publicKeyPem = str("publicKeyPem");
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(publicKeyPem)) {
    throw new Error("paywall config: publicKeyPem must be an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  const algorithm = str("algorithm");
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) throw new Error(`paywall config: algorithm must be one of ${ALGORITHMS.join(", ")}; got '${algorithm}'`);
  const cookieName = str("cookieName");
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cookieName)) throw new Error(`paywall config: cookieName must be 1-64 letters, digits, '_' or '-'; got '${cookieName}'`);
  const tolerance = c.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== "number" || !Number.isInteger(tolerance) || tolerance < 0 || tolerance > 300) {
    throw new Error("paywall config: clockToleranceSeconds must be a whole number from 0 to 300");
  }
  return {
    publicKeyPem,
    algorithm: algorithm as Algorithm,
    audience: str("audience"),
    ...(c.issuer !== undefined ? { issuer: str("issuer") } : {}),
    cookieName,
    clockToleranceSeconds: tolerance,
  };
}

export type TokenCheck = (token: string) => Promise<boolean>;

/** A verifier for the configured key: true only for a valid token; never says why not. */
export async function createVerifier(config: PaywallConfig): Promise<TokenCheck> {
  const key: KeyLike = await importSPKI(config.publicKeyPem, config.algorithm);
  return async (token) => {
    try {
      await jwtVerify(token, key, {
        algorithms: [config.algorithm],
        audience: config.audience,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        requiredClaims: ["exp"],
        clockTolerance: config.clockToleranceSeconds,
      });
      return true;
    } catch {
      return false;
    }
  };
}

/** Audio paths the distribution serves: `/<free|premium>/<article id>/<version>/<full|teaser>.mp3`. */
const AUDIO_PATH = /^\/(free|premium)\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})\/([1-9][0-9]{0,15})\/(full|teaser)\.mp3$/;

/** The token of a request: `Authorization: Bearer <jwt>`, else the cookie. */
export function tokenOf(request: CloudFrontRequest, cookieName: string): string | undefined {
  const auth = request.headers.authorization?.[0]?.value;
  const bearer = auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
  if (bearer) return bearer;
  for (const h of request.headers.cookie ?? []) {
    for (const part of h.value.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === cookieName) {
        const v = part.slice(eq + 1).trim();
        if (v !== "") return v;
      }
    }
  }
  return undefined;
}

const NOT_FOUND: CloudFrontResultResponse = {
  status: "404",
  statusDescription: "Not Found",
  headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }], "cache-control": [{ key: "Cache-Control", value: "max-age=60" }] },
  body: "Not Found",
};

/**
 * Decides a viewer request: free audio and premium teasers pass; a premium full audio passes with
 * a valid token and is otherwise rewritten to the same version's teaser; any other path is a 404
 * at the edge (nothing else is served, and no odd spelling of a path reaches the bucket).
 */
export async function paywall(request: CloudFrontRequest, check: TokenCheck, cookieName: string): Promise<CloudFrontRequest | CloudFrontResultResponse> {
  const m = AUDIO_PATH.exec(request.uri);
  if (!m) return NOT_FOUND;
  const [, tier, id, version, file] = m;
  if (tier === "free" || file === "teaser") return request;
  const token = tokenOf(request, cookieName);
  if (token !== undefined && await check(token)) return request;
  return { ...request, uri: `/premium/${id}/${version}/teaser.mp3` };
}
