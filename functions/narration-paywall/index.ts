/**
 * Lambda@Edge viewer-request adapter of the paywall. Lambda@Edge supports no environment
 * variables: the configuration (public key, algorithm, audience, cookie name) is built into the
 * bundle — esbuild replaces `process.env.MLZ_PAYWALL_CONFIG` with the JSON literal at bundle time
 * (components/lambda/edge-function.ts). The public key is not a secret.
 */
import type { CloudFrontRequestEvent, CloudFrontRequest, CloudFrontResultResponse } from "aws-lambda";
import { createVerifier, parsePaywallConfig, paywall } from "./core";

const config = parsePaywallConfig(process.env.MLZ_PAYWALL_CONFIG);
const verifier = createVerifier(config);

export const handler = async (event: CloudFrontRequestEvent): Promise<CloudFrontRequest | CloudFrontResultResponse> => {
  const request = event.Records[0].cf.request;
  const result = await paywall(request, await verifier, config.cookieName);
  // One structured line: the decision, never the token or the cookies.
  const decision = "status" in result ? "not-found" : result.uri === request.uri ? "pass" : "teaser";
  console.log(JSON.stringify({ level: "info", message: "paywall", uri: request.uri, decision }));
  return result;
};
