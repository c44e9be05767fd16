/**
 * Tag rule: every taggable AWS resource carries the required tags, counting the `defaultTags` of
 * the provider it is created with (the engine hands a resource policy its provider's inputs).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { effectiveTags, configOf } from "./lib";
import { TAGGABLE_TYPES } from "./taggable-types";

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description: "Checks whether every taggable resource carries the environment, owner and pipeline tags.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      tags: { type: "array", items: { type: "string" }, default: ["environment", "owner", "pipeline"], description: "Tag keys every taggable resource must carry (non-empty)." },
    },
  },
  validateResource: (args, report) => {
    if (!TAGGABLE_TYPES.has(args.type)) args.notApplicable(`'${args.type}' does not accept tags`);
    const { tags } = configOf<{ tags: string[] }>(args, requiredTags);
    const have = effectiveTags(args.props, args.provider);
    const missing = tags.filter((t) => typeof have[t] !== "string" || have[t].trim() === "");
    if (missing.length > 0) {
      report(`Resource must carry the tags ${tags.join(", ")} (own tags or provider defaultTags); missing ${missing.join(", ")}.`);
    }
  },
};

export const tagPolicies = [requiredTags];
