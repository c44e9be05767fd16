import * as assert from "node:assert/strict";
import { planPromotion, PromotionError } from "../../promotion/rules";
import type { StackSource } from "../../promotion/stack-source";
import { changedLines } from "../../promotion/yaml-edit";
import { fixtureText } from "./fixture";

const V1 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1";
const V2 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v2";
const withLegal = (stack: string, arn: string) => fixtureText(stack).replace(
  "  ml-landing-zone:models:\n",
  `  ml-landing-zone:models:\n    legal-entities:\n      kind: comprehend\n      versionArn: ${arn}\n      minF1: 0.8\n`,
);

function source(texts: Record<string, string>): StackSource {
  const all: Record<string, string> = { cicd: fixtureText("cicd"), ml: fixtureText("ml"), ...texts };
  return {
    listStacks: () => Object.keys(all).sort(),
    read: (s) => all[s],
    readAt: () => { throw new Error("no refs"); },
    write: () => {},
  };
}

describe("promotion/rules for Comprehend recognizer versions", () => {
  it("promotes a recognizer version to qa by --version, editing exactly its line", () => {
    const p = planPromotion({ model: "legal-entities", to: "qa", version: V2 }, source({ qa: withLegal("qa", V1), prod: withLegal("prod", V1) }));
    assert.equal(p.kind, "comprehend");
    assert.equal(p.currentArn, V1);
    assert.equal(p.newArn, V2);
    assert.equal(p.versionLabel, "v2");
    assert.equal(p.minF1, 0.8);
    // Exactly the line that held the old version ARN, and nothing else.
    const line = p.before.split("\n").findIndex((l) => l.includes(`versionArn: ${V1}`)) + 1;
    assert.ok(line > 0);
    assert.deepEqual(changedLines(p.before, p.after), [line]);
    assert.ok(p.after.split("\n")[line - 1].includes(`versionArn: ${V2}`));
  });

  it("prod only takes a recognizer version qa holds, and refuses an ARN of another kind", () => {
    const s = source({ qa: withLegal("qa", V1), prod: withLegal("prod", V1) });
    assert.throws(() => planPromotion({ model: "legal-entities", to: "prod", version: V2 }, s), (e: Error) => e instanceof PromotionError && /prod only takes a version that qa holds/.test(e.message));
    assert.throws(() => planPromotion({ model: "legal-entities", to: "qa", version: "arn:aws:sagemaker:us-east-1:444444444444:model/x" }, s),
      (e: Error) => e instanceof PromotionError && /expected a Comprehend entity-recognizer version ARN/.test(e.message));
  });
});
