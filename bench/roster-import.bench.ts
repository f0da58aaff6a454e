/**
 * P5 (roster half): importing a 10,000-person roster CSV into a fresh database with two published
 * courses and the default assignment rule: the whole file validated, every person created in one
 * transaction with their audit entries, and the assignments recomputed. Then the same file again,
 * which must change nothing. Rows are listed reports first, so every manager comes after the people
 * who report to them.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "csv-stringify/sync";
import { newBenchDatabase } from "./database";
import { referenceRoster } from "./reference-org";
import type { BenchResult } from "./types";

export async function run(): Promise<BenchResult[]> {
  // Imported after the database is chosen.
  const { migrateToLatest } = await import("#db/migrate");
  const { commandLineActor } = await import("~/models/audit.server");
  const { syncCourses } = await import("~/services/courses.server");
  const { applyRoster, previewRoster } = await import("~/services/roster-import.server");
  const { closeDatabase, switchDatabase } = await import("~/utils/db.server");
  await switchDatabase(await newBenchDatabase("roster"));
  try {
    await migrateToLatest();
    const sync = await syncCourses(path.resolve("test/fixtures/courses-integration"));
    if (sync.errors.length > 0) throw new Error("The bench courses did not load.");

    const rows = referenceRoster().reverse();
    const csv = Buffer.from(stringify(rows, { header: true, record_delimiter: "\r\n" }), "utf8");
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
        name: "P5 roster import, 10,000 new people (validate, write, audit, assign)",
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
    await closeDatabase();
  }
}
