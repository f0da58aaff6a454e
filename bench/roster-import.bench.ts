/**
 * P5 (roster half): importing a 10,000-person roster CSV into a fresh database with two published
 * courses and the default assignment rule: the whole file validated, every person created in one
 * transaction with their audit entries, and the assignments recomputed. Then the same file again,
 * which must change nothing. Rows are listed reports first, so every manager comes after the people
 * who report to them.
 */
import { performance } from "node:perf_hooks";
import { freshOrganisation } from "./fresh-org";
import { referenceRosterCsv } from "./reference-org";
import type { BenchResult } from "./types";

export const engines = ["sqlite", "postgres"];

export async function run(): Promise<BenchResult[]> {
  const org = await freshOrganisation("roster");
  // Imported after the database is chosen.
  const { commandLineActor } = await import("~/models/audit.server");
  const { applyRoster, previewRoster } = await import("~/services/roster-import.server");
  try {
    const { rows, csv } = referenceRosterCsv();
    const actor = commandLineActor("bench");

    let start = performance.now();
    const preview = await previewRoster(csv, "reference.csv", actor);
    const previewMs = performance.now() - start;
    if (preview.problems.length > 0 || preview.creates.length !== rows.length) {
      throw new Error(
        `The reference roster did not validate: ${JSON.stringify(preview.problems[0])}`,
      );
    }

    start = performance.now();
    const applied = await applyRoster(csv, "reference.csv", actor);
    const importMs = performance.now() - start;
    if (applied.status !== "applied" || applied.summary.created !== rows.length) {
      throw new Error("The reference roster was not imported whole.");
    }

    start = performance.now();
    const again = await applyRoster(csv, "reference.csv", actor);
    const reimportMs = performance.now() - start;
    if (again.status !== "applied" || again.summary.unchanged !== rows.length) {
      throw new Error("Re-importing the same roster changed something.");
    }

    return [
      {
        id: "P5",
        name: "roster import, 10,000 new people (validate, write, audit, assign)",
        value: Math.round(importMs),
        unit: "ms",
        budget: 3000,
      },
      {
        name: "roster preview of that file (validate and compare only)",
        value: Math.round(previewMs),
        unit: "ms",
      },
      {
        name: "roster re-import of the same file (nothing changes)",
        value: Math.round(reimportMs),
        unit: "ms",
      },
    ];
  } finally {
    await org.remove();
  }
}
