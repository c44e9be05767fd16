import * as assert from "node:assert/strict";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resolvePolicyConfig, validateOptions } from "../../policies/config";

const strict: ResourceValidationPolicy = {
  name: "strict-rule",
  description: "Checks whether a test holds.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      limit: { type: "integer", default: 10 },
      names: { type: "array", items: { type: "string" }, default: ["a"] },
      mode: { type: "string", enum: ["x", "y"] },
    },
  },
  validateResource: () => undefined,
};

const loose: StackValidationPolicy = {
  name: "loose-rule",
  description: "Checks whether another test holds.",
  enforcementLevel: "advisory",
  validateStack: () => undefined,
};

const unset: StackValidationPolicy = { name: "unset-rule", description: "Checks whether defaults apply.", validateStack: () => undefined };

const levels = (config: object) => {
  const r = resolvePolicyConfig([strict, loose, unset], config as never);
  return Object.fromEntries([...r].map(([k, v]) => [k, v.enforcementLevel]));
};

describe("policies/config (engine precedence: per-rule > all > rule default)", () => {
  it("uses each rule's default level, and the pack default (advisory) for a rule without one", () => {
    assert.deepEqual(levels({}), { "strict-rule": "mandatory", "loose-rule": "advisory", "unset-rule": "advisory" });
  });
  it("lets `all` override every rule default", () => {
    assert.deepEqual(levels({ all: "disabled" }), { "strict-rule": "disabled", "loose-rule": "disabled", "unset-rule": "disabled" });
    assert.deepEqual(levels({ all: { enforcementLevel: "mandatory" } }), { "strict-rule": "mandatory", "loose-rule": "mandatory", "unset-rule": "mandatory" });
  });
  it("lets a per-rule level beat `all`, whatever the key order", () => {
    assert.deepEqual(levels({ "loose-rule": "mandatory", all: "advisory" }), { "strict-rule": "advisory", "loose-rule": "mandatory", "unset-rule": "advisory" });
    assert.deepEqual(levels({ all: "advisory", "strict-rule": { enforcementLevel: "disabled" } }), {
      "strict-rule": "disabled",
      "loose-rule": "advisory",
      "unset-rule": "advisory",
    });
  });
  it("keeps the `all` level for a rule whose entry only sets options", () => {
    const r = resolvePolicyConfig([strict], { all: "advisory", "strict-rule": { limit: 3 } });
    assert.deepEqual(r.get("strict-rule"), { enforcementLevel: "advisory", properties: { limit: 3, names: ["a"] } });
  });
  it("fills schema defaults and merges given options key by key, without enforcementLevel", () => {
    const r = resolvePolicyConfig([strict], { "strict-rule": { enforcementLevel: "mandatory", names: ["b", "c"], mode: "y" } });
    assert.deepEqual(r.get("strict-rule")!.properties, { limit: 10, names: ["b", "c"], mode: "y" });
  });
  it("does not share default objects between resolutions", () => {
    const first = resolvePolicyConfig([strict]);
    (first.get("strict-rule")!.properties.names as string[]).push("mutated");
    assert.deepEqual(resolvePolicyConfig([strict]).get("strict-rule")!.properties.names, ["a"]);
  });
  it("refuses invalid enforcement levels like the engine", () => {
    assert.throws(() => resolvePolicyConfig([strict], { all: "blocking" }), { message: "policy config 'all': 'blocking' is not a valid enforcement level" });
    assert.throws(() => resolvePolicyConfig([strict], { "strict-rule": { enforcementLevel: "loud" } }), {
      message: "policy config 'strict-rule': 'loud' is not a valid enforcement level",
    });
  });
  it("validates options against the rule's schema, listing every error", () => {
    assert.throws(() => resolvePolicyConfig([strict], { "strict-rule": { limit: "ten", names: ["ok", 3], mode: "z" } }), {
      message:
        "policy pack configuration is invalid:\nstrict-rule: limit: Invalid type. Expected: integer, given: string\nstrict-rule: names.1: Invalid type. Expected: string, given: integer\nstrict-rule: mode: must be one of \"x\", \"y\"",
    });
  });
  it("checks required options", () => {
    assert.deepEqual(validateOptions({ properties: { a: { type: "string" } }, required: ["a"] }, {}), ["a is required"]);
  });
  it("ignores entries for rules the pack does not have", () => {
    assert.deepEqual(levels({ "no-such-rule": "disabled" }), { "strict-rule": "mandatory", "loose-rule": "advisory", "unset-rule": "advisory" });
  });
});
