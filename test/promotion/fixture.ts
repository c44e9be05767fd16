/**
 * Test fixtures for the promotion command: a temporary project folder holding copies of
 * `test/promotion/fixtures/stacks/*.yaml`, optionally a git repository with them committed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const FIXTURE_STACKS = path.join(__dirname, "fixtures", "stacks");

export const QA_DEFECT = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-09T08.00.00/1762675200000";
export const PROD_DEFECT = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
export const NEW_DEFECT = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
export const QA_BIKE = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261108";
export const PROD_BIKE = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";
export const NEW_BIKE = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261120";

export function fixtureText(stack: string): string {
  return fs.readFileSync(path.join(FIXTURE_STACKS, `Pulumi.${stack}.yaml`), "utf8");
}

/** A temporary project root with `stacks/` copied from the fixtures; `git: true` commits them. */
export function makeProject(opts: { git?: boolean } = {}): { root: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-promote-test-"));
  fs.mkdirSync(path.join(root, "stacks"));
  for (const f of fs.readdirSync(FIXTURE_STACKS)) {
    fs.copyFileSync(path.join(FIXTURE_STACKS, f), path.join(root, "stacks", f));
  }
  if (opts.git) {
    git(root, "init", "-q", "-b", "main");
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "fixtures");
  }
  return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export function git(root: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
    cwd: root,
    encoding: "utf8",
  });
}

export function readStack(root: string, stack: string): string {
  return fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8");
}

export function writeStack(root: string, stack: string, text: string): void {
  fs.writeFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), text);
}
