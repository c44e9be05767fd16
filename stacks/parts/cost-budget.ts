/**
 * Every stack: an optional monthly budget for its always-on cost. No resource: the offline plan
 * (plan/cost.ts) prices the stack's plan from plan/prices.json and reports a plan whose always-on
 * cost exceeds the budget as a mandatory violation (`stack-monthly-budget`, exit 1), naming the
 * stack, the budget and the three most expensive items. Usage-priced services and resource types
 * the price file cannot price are not counted (the plan lists them).
 */
import { z } from "zod";

/** Config keys of this part (`ml-landing-zone:<key>` in any `Pulumi.<stack>.yaml`). */
export const costBudgetConfigSchema = z.object({
  /** Budget of the stack's always-on cost. Defaults to none (no budget check). */
  costBudget: z.strictObject({
    /** US dollars per month (730 hours); the plan's always-on monthly cost must not exceed it. */
    monthlyUsd: z.number({ error: "expected a number of US dollars per month" }).positive({ error: "expected a positive number of US dollars per month" }),
  }).optional(),
});
