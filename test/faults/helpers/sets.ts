import type { TestContext } from "vitest";

/** `npm run test:faults -- --all` (bin/faults.js sets FAULTS=all) runs the slow set too. */
export const ALL = process.env.FAULTS === "all";
export const SLOW_SET_NOTE = "slow set: npm run test:faults -- --all";

/** Call first in a test of the slow set (too long for CI's fast set): skipped unless `--all`. */
export function slowSetOnly(context: TestContext) {
  context.skip(!ALL, SLOW_SET_NOTE);
}

/** Prints a measured figure and keeps it for the table at the end (table-reporter.ts). */
export async function figure(context: TestContext, message: string) {
  console.log(message);
  await context.annotate(message, "figure");
}
