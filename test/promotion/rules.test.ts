import * as assert from "node:assert/strict";
import { planPromotion, PromotionError, type PromotionRequest } from "../../promotion/rules";
import { workingTreeSource, type StackSource } from "../../promotion/stack-source";
import { changedLines } from "../../promotion/yaml-edit";
import { ConfigError } from "../../stacks/config";
import {
  fixtureText,
  makeProject,
  NEW_BIKE,
  NEW_DEFECT,
  PROD_BIKE,
  PROD_DEFECT,
  QA_BIKE,
  QA_DEFECT,
  readStack,
  writeStack,
} from "./fixture";

/** An in-memory StackSource over the fixture texts (plus overrides); `refs` maps ref → stack → text. */
function memorySource(overrides: Record<string, string> = {}, refs: Record<string, Record<string, string>> = {}): StackSource & { written: Record<string, string> } {
  const texts: Record<string, string> = {};
  for (const s of ["cicd", "ml", "prod", "qa"]) texts[s] = fixtureText(s);
  Object.assign(texts, overrides);
  const written: Record<string, string> = {};
  return {
    written,
    listStacks: () => Object.keys(texts).sort(),
    read: (stack) => texts[stack],
    readAt: (ref, stack) => {
      const t = refs[ref]?.[stack];
      if (t === undefined) throw new Error(`cannot read stacks/Pulumi.${stack}.yaml at git ref '${ref}'`);
      return t;
    },
    write: (stack, text) => {
      written[stack] = text;
    },
  };
}

function refusal(req: PromotionRequest, source: StackSource = memorySource()): string {
  try {
    planPromotion(req, source);
  } catch (e) {
    assert.ok(e instanceof PromotionError, `expected a PromotionError, got ${(e as Error).name}: ${(e as Error).message}`);
    return e.message;
  }
  assert.fail("expected the promotion to be refused");
}

describe("promotion/rules", () => {
  describe("accepted promotions", () => {
    it("qa from --version: the edit, the replaced version and the short label", () => {
      const p = planPromotion({ model: "defect-detector", to: "qa", version: NEW_DEFECT }, memorySource());
      assert.equal(p.stack, "qa");
      assert.equal(p.file, "stacks/Pulumi.qa.yaml");
      assert.equal(p.kind, "rekognition");
      assert.equal(p.currentArn, QA_DEFECT);
      assert.equal(p.newArn, NEW_DEFECT);
      assert.equal(p.versionLabel, "defect-detector.2026-11-20T08.00.00");
      assert.equal(p.minF1, 0.85);
      assert.equal(p.source, "--version");
      assert.equal(p.currentFrom, "the working tree");
      assert.equal(p.gate, undefined);
      assert.equal(p.before, fixtureText("qa"));
      assert.deepEqual(changedLines(p.before, p.after), [14]);
    });

    it("prod --from qa when qa (working tree) holds the version", () => {
      const p = planPromotion({ model: "defect-detector", to: "prod", from: "qa" }, memorySource());
      assert.equal(p.currentArn, PROD_DEFECT);
      assert.equal(p.newArn, QA_DEFECT);
      assert.equal(p.source, "stack 'qa'");
      assert.equal(p.fromStack, "qa");
      assert.equal(p.minF1, 0.9);
      assert.equal(p.gate, "qa holds it (stacks/Pulumi.qa.yaml in the working tree)");
    });

    it("sagemaker model to prod by --version when qa holds it; label is the model name", () => {
      const p = planPromotion({ model: "bikeshare-classifier", to: "prod", version: QA_BIKE }, memorySource());
      assert.equal(p.kind, "sagemaker");
      assert.equal(p.currentArn, PROD_BIKE);
      assert.equal(p.versionLabel, "bikeshare-classifier-20261108");
      assert.equal(p.minF1, 0.7);
    });

    it("prod reads the qa gate from --base instead of the working tree", () => {
      // The working tree's qa holds the old version; the base ref's qa holds the new one.
      const baseQa = fixtureText("qa").replace(QA_DEFECT, NEW_DEFECT);
      const p = planPromotion(
        { model: "defect-detector", to: "prod", version: NEW_DEFECT, base: "origin/main" },
        memorySource({}, { "origin/main": { qa: baseQa } }),
      );
      assert.equal(p.gate, "qa holds it (git show origin/main:stacks/Pulumi.qa.yaml)");
    });
  });

  it("targetRef: the replaced version comes from the ref, so an edited working tree is not a no-op", () => {
    const edited = fixtureText("qa").replace(QA_DEFECT, NEW_DEFECT);
    const source = memorySource({ qa: edited }, { HEAD: { qa: fixtureText("qa") } });
    const p = planPromotion({ model: "defect-detector", to: "qa", version: NEW_DEFECT, targetRef: "HEAD" }, source);
    assert.equal(p.currentArn, QA_DEFECT);
    assert.equal(p.currentFrom, "git ref 'HEAD'");
    assert.equal(p.after, edited);
    assert.equal(
      refusal({ model: "defect-detector", to: "qa", version: QA_DEFECT, targetRef: "HEAD" }, source),
      `stack 'qa' already uses ${QA_DEFECT} for model 'defect-detector' (git show HEAD:stacks/Pulumi.qa.yaml): nothing to promote`,
    );
  });

  describe("refusals, each with its message", () => {
    it("neither or both of --from and --version", () => {
      assert.equal(refusal({ model: "defect-detector", to: "qa" }), "give exactly one of --from <stack> and --version <arn>");
      assert.equal(
        refusal({ model: "defect-detector", to: "qa", from: "prod", version: NEW_DEFECT }),
        "give exactly one of --from <stack> and --version <arn>",
      );
    });

    it("unknown target stack", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "staging", version: NEW_DEFECT }),
        "unknown stack 'staging': there is no stacks/Pulumi.staging.yaml (stacks: cicd, ml, prod, qa)",
      );
    });

    it("unknown --from stack", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "prod", from: "dev" }),
        "unknown stack 'dev': there is no stacks/Pulumi.dev.yaml (stacks: cicd, ml, prod, qa)",
      );
    });

    it("a target stack that does not pin model versions", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "ml", version: NEW_DEFECT }),
        "stack 'ml' does not pin model versions (role 'ml'); promote to one of: prod, qa",
      );
    });

    it("an invalid unrelated stack file does not hide that message", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "ml", version: NEW_DEFECT }, memorySource({ cicd: fixtureText("cicd").replace("owner: acme", "owner: 42") })),
        "stack 'ml' does not pin model versions (role 'ml'); promote to one of: prod, qa",
      );
    });

    it("unknown model", () => {
      assert.equal(
        refusal({ model: "fraud-scorer", to: "qa", version: NEW_DEFECT }),
        "unknown model 'fraud-scorer': stacks/Pulumi.qa.yaml has models bikeshare-classifier, defect-detector",
      );
    });

    it("a --from stack without the model", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "qa", from: "ml" }),
        "stack 'ml' holds no version of model 'defect-detector' to promote (stacks/Pulumi.ml.yaml)",
      );
    });

    it("an ARN of the wrong service for the model's kind", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "qa", version: NEW_BIKE }),
        `--version gives no valid version of model 'defect-detector' (kind rekognition): expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got '${NEW_BIKE}' (service 'sagemaker')`,
      );
      assert.equal(
        refusal({ model: "bikeshare-classifier", to: "qa", version: NEW_DEFECT }),
        `--version gives no valid version of model 'bikeshare-classifier' (kind sagemaker): expected a SageMaker model ARN (arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>); got '${NEW_DEFECT}' (service 'rekognition')`,
      );
    });

    it("an ARN of the right service but the wrong shape", () => {
      const project = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1762078500000";
      assert.equal(
        refusal({ model: "defect-detector", to: "qa", version: project }),
        `--version gives no valid version of model 'defect-detector' (kind rekognition): expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got '${project}'`,
      );
    });

    it("a no-op promotion", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "qa", version: QA_DEFECT }),
        `stack 'qa' already uses ${QA_DEFECT} for model 'defect-detector': nothing to promote`,
      );
      // --from a stack holding the same version is a no-op too.
      const same = fixtureText("prod").replace(PROD_DEFECT, QA_DEFECT);
      assert.equal(
        refusal({ model: "defect-detector", to: "prod", from: "qa" }, memorySource({ prod: same })),
        `stack 'prod' already uses ${QA_DEFECT} for model 'defect-detector': nothing to promote`,
      );
    });

    it("prod with a version qa does not hold (working tree)", () => {
      assert.equal(
        refusal({ model: "defect-detector", to: "prod", version: NEW_DEFECT }),
        `prod only takes a version that qa holds: qa has ${QA_DEFECT} for model 'defect-detector' (stacks/Pulumi.qa.yaml in the working tree), not ${NEW_DEFECT}; promote to qa first`,
      );
    });

    it("prod with a version qa holds in the working tree but not at --base", () => {
      // Editing qa and prod in the same pull request does not pass the gate: qa first, always.
      const workingQa = fixtureText("qa").replace(QA_DEFECT, NEW_DEFECT);
      assert.equal(
        refusal(
          { model: "defect-detector", to: "prod", version: NEW_DEFECT, base: "origin/main" },
          memorySource({ qa: workingQa }, { "origin/main": { qa: fixtureText("qa") } }),
        ),
        `prod only takes a version that qa holds: qa has ${QA_DEFECT} for model 'defect-detector' (git show origin/main:stacks/Pulumi.qa.yaml), not ${NEW_DEFECT}; promote to qa first`,
      );
    });

    it("prod with a model qa does not have", () => {
      const qaWithout = fixtureText("qa").replace(/\n    bikeshare-classifier:\n[\s\S]*$/, "\n");
      assert.equal(
        refusal({ model: "bikeshare-classifier", to: "prod", version: NEW_BIKE }, memorySource({ qa: qaWithout })),
        `prod only takes a version that qa holds: qa has no version for model 'bikeshare-classifier' (stacks/Pulumi.qa.yaml in the working tree), not ${NEW_BIKE}; promote to qa first`,
      );
    });

    it("an invalid stack file surfaces the config error naming file and key", () => {
      const broken = fixtureText("qa").replace("kind: rekognition", "kind: textract");
      assert.throws(
        () => planPromotion({ model: "defect-detector", to: "qa", version: NEW_DEFECT }, memorySource({ qa: broken })),
        (e: Error) => e instanceof ConfigError && e.message.startsWith("stacks/Pulumi.qa.yaml: ml-landing-zone:models.defect-detector.kind: expected 'rekognition', 'sagemaker' or 'comprehend'; got 'textract'"),
      );
    });
  });

  describe("workingTreeSource over a git repository", () => {
    it("lists, reads at a ref with git show, and writes", () => {
      const { root, cleanup } = makeProject({ git: true });
      try {
        const source = workingTreeSource(root);
        assert.deepEqual(source.listStacks(), ["cicd", "ml", "prod", "qa"]);
        writeStack(root, "qa", fixtureText("qa").replace(QA_DEFECT, NEW_DEFECT));
        assert.equal(source.readAt("HEAD", "qa"), fixtureText("qa"));
        assert.ok(source.read("qa").includes(NEW_DEFECT));
        source.write("prod", "x");
        assert.equal(readStack(root, "prod"), "x");
        assert.throws(() => source.readAt("no-such-ref", "qa"), /^Error: cannot read stacks\/Pulumi\.qa\.yaml at git ref 'no-such-ref': fatal: /);
        assert.throws(() => source.readAt("--output=x", "qa"), { message: "invalid git ref '--output=x'" });
      } finally {
        cleanup();
      }
    });
  });
});
