/**
 * Where the promotion command reads and writes stack files: the working tree, and a git ref for
 * the base a pull request merges into. Behind an interface so tests use a temporary folder.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, stackFilePath } from "../stacks/config";

export interface StackSource {
  /** Stack names with a `stacks/Pulumi.<stack>.yaml` in the working tree, sorted. */
  listStacks(): string[];
  /** Working-tree text of a stack file. */
  read(stack: string): string;
  /** Text of a stack file at a git ref (`git show <ref>:stacks/Pulumi.<stack>.yaml`). */
  readAt(ref: string, stack: string): string;
  /** Replaces the working-tree stack file. */
  write(stack: string, text: string): void;
}

/** Stack files of the project rooted at `root` (the folder holding `Pulumi.yaml` and `stacks/`). */
export function workingTreeSource(root: string): StackSource {
  const dir = path.join(root, "stacks");
  return {
    listStacks: () => (fs.existsSync(dir) ? listStacks(dir) : []),
    read: (stack) => fs.readFileSync(path.join(root, stackFilePath(stack)), "utf8"),
    readAt: (ref, stack) => gitShow(root, ref, stackFilePath(stack)),
    write: (stack, text) => fs.writeFileSync(path.join(root, stackFilePath(stack)), text),
  };
}

/** `git show <ref>:<file>` in `root`; throws naming the ref and file when git cannot. */
export function gitShow(root: string, ref: string, file: string): string {
  if (ref.startsWith("-")) throw new Error(`invalid git ref '${ref}'`);
  try {
    return execFileSync("git", ["show", `${ref}:${file}`], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`cannot read ${file} at git ref '${ref}': ${stderr || (e as Error).message}`);
  }
}
