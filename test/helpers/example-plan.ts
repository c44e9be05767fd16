/**
 * The repository's example organization (stacks/) planned once per test process: the test files
 * that read its plan share one `planOrganization` run. Each call returns its own deep copy, free
 * to change.
 */
import { planOrganization, type OrganizationPlan } from "../../plan/organization";
import { STACKS_DIR } from "../../stacks/config";

let planned: Promise<OrganizationPlan> | undefined;

/** `planOrganization({ stacksDir: STACKS_DIR })`, planned on the first call (a failed plan is not kept). */
export async function examplePlan(): Promise<OrganizationPlan> {
  if (!planned) {
    const p = planOrganization({ stacksDir: STACKS_DIR });
    planned = p;
    p.catch(() => {
      if (planned === p) planned = undefined;
    });
  }
  return structuredClone(await planned);
}
