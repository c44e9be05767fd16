/** The `--help` text of `npm run plan` (plan/cli.ts). */
export const HELP = `Usage: npm run plan -- [options]

Evaluates every stack offline: runs the real stack programs under the Pulumi SDK's runtime mocks
against a deterministic simulated AWS organization, in dependency order (management; cicd,
lakehouse; ml; workloads), and reports the resource tree, policy results, cross-stack checks and,
with --diff, the changes against earlier plans. No AWS account, Pulumi CLI or network is used.

Options:
  --stack <name>         Report only this stack (repeatable). Every stack is still planned: a stack
                         may read stacks planned after it (the ML stack reads its consumers).
  --format <f>           text (default), json, markdown, or mermaid (a flowchart of the
                         organization: OUs, accounts, SCPs, who can assume which role, who can
                         call which model version; with --diff, changes highlighted).
  --out <dir>            Also write one <dir>/<stack>.json per reported stack: every resource with
                         type, name, urn, parent, account, region, inputs (secrets redacted) and
                         simulated outputs.
  --diff <dir>           Compare with plans written earlier by --out (added, removed and changed
                         resources with the changed input paths).
  --stacks-dir <dir>     Folder with the Pulumi.<stack>.yaml files. Default: stacks/.
  --prices <file>        Price file for the cost report (the shape of plan/prices.json). Default:
                         plan/prices.json, the pinned list prices.
  --policy-config <file> Policy configuration JSON (like pulumi preview --policy-pack-config).
                         Default: policies/policy-config.json, the file the workflows pass to
                         pulumi preview/up, so the plan and the real preview judge alike.
  -h, --help             Show this help.

Exit status: 0 clean; 1 mandatory policy violations or failed cross-stack checks;
2 errors (bad stack config, a program error, bad arguments).
`;
