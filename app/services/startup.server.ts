import { migrateToLatest } from "#db/migrate";
import { appendAudit, SYSTEM_ACTOR } from "~/models/audit.server";
import { countUsers } from "~/models/users.server";
import { issueToken } from "~/models/tokens.server";
import { recomputeAssignments } from "~/services/assignments.server";
import { describeRefusal, formatCourseErrors, syncCourses } from "~/services/courses.server";
import { schedule } from "~/services/jobs.server";
import { runScheduledReminders } from "~/services/reminders.server";
import { purgeExpiredSessions } from "~/services/session.server";
import { assertBenchmarkSwitchIsLocal } from "~/utils/benchmark.server";
import { closeDatabase, writeTransaction } from "~/utils/db.server";
import { env, publicOrigin } from "~/utils/env.server";

const FIRST_ADMIN_LINK_TTL_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/** Runs once per server start, before any request: migrate, load courses, offer the first-admin link. */
export async function onServerStart(): Promise<void> {
  const { coursesDir, orgTimeZone } = env();
  assertBenchmarkSwitchIsLocal();
  const applied = await migrateToLatest();
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);

  // A course with errors is refused whole and logged; it never stops the server.
  const result = await syncCourses(coursesDir);
  if (result.errors.length > 0) {
    console.warn(
      `Courses in ${coursesDir} have errors:
${formatCourseErrors(result.errors)}
${describeRefusal(result)}`,
    );
  }
  console.log(
    `Courses loaded: ${result.courses} courses, ${result.lessons} lessons ` +
      `(${result.published} new versions published; ${result.compiled} compiled, ${result.reused} from the compile cache, ` +
      `${result.knownFailures} known failures not retried).`,
  );

  await recomputeAssignments();
  console.log(`Dates follow the organisation's time zone, ${orgTimeZone} (ORG_TIMEZONE).`);

  if ((await countUsers()) === 0) {
    const token = await writeTransaction(async () => {
      const issued = await issueToken("first-admin", null, FIRST_ADMIN_LINK_TTL_MS);
      await appendAudit(SYSTEM_ACTOR, [
        { action: "link.issued", after: { purpose: "first-admin", validHours: 24 } },
      ]);
      return issued;
    });
    console.log(
      `\nNo one has an account yet. Create the first administrator within 24 hours at:\n  ${publicOrigin()}/setup/${token}\n`,
    );
  }
}

/** The periodic jobs; each runs once per period across every process and server. */
export function startPeriodicJobs(): void {
  schedule([
    // Recurring courses come due as time passes, not only when something changes.
    { name: "recompute-assignments", everyMs: HOUR_MS, run: recomputeAssignments },
    { name: "purge-sessions", everyMs: HOUR_MS, run: purgeExpiredSessions },
    // Retries every few minutes; the day's reminders from the configured local hour, once a day.
    { name: "reminders", everyMs: 5 * MINUTE_MS, run: runScheduledReminders },
  ]);
}

/** After the last request: close the database (checkpointing the WAL). */
export async function onServerStop(): Promise<void> {
  await closeDatabase();
}
