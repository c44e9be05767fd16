/**
 * Promotion gates: stacks that may only receive a model version another stack already holds.
 * `prod` only takes what `qa` has ("QA first, always"). Used by the promotion rules and by the
 * deploy order (a gated stack deploys after its gate).
 */
export const PROMOTION_GATES: Readonly<Record<string, string>> = { prod: "qa" };
