import { db } from "~/utils/db.server";

/**
 * Claims this period's run of a job for `holder`: true when the job last started before
 * `startedBefore` (or never), in which case the claim is recorded. One statement, so two
 * processes — or two servers on one database — cannot both claim the same period.
 */
export async function claimJobRun(
  name: string,
  holder: string,
  at: string,
  startedBefore: string,
): Promise<boolean> {
  const result = await db
    .insertInto("job_runs")
    .values({ name, holder, started_at: at })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet({ holder, started_at: at })
        .where("job_runs.started_at", "<", startedBefore),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** When a job last started (any process), or undefined. */
export async function lastJobStart(name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("job_runs")
    .select("started_at")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.started_at;
}
