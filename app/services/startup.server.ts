import { migrateToLatest } from "#db/migrate";
import { countUsers } from "~/models/users.server";
import { issueToken } from "~/models/tokens.server";
import { recomputeAssignments, scheduleAssignmentRecompute } from "~/services/assignments.server";
import { describeRefusal, formatCourseErrors, syncCourses } from "~/services/courses.server";
import { handlesFor } from "~/utils/db.server";
import { env, publicOrigin } from "~/utils/env.server";

const FIRST_ADMIN_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/** Runs once per server start, before any request: migrate, load courses, offer the first-admin link. */
export async function onServerStart(): Promise<void> {
  const applied = await migrateToLatest(handlesFor().db);
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);

  // A course with errors is refused whole and logged; it never stops the server.
  const result = await syncCourses(env().coursesDir);
  if (result.errors.length > 0) {
    console.warn(
      `Courses in ${env().coursesDir} have errors:\n${formatCourseErrors(result.errors)}\n${describeRefusal(result)}`,
    );
  }
  console.log(
    `Courses loaded: ${result.courses} courses, ${result.lessons} lessons ` +
      `(${result.published} new versions published; ${result.compiled} compiled, ${result.reused} from the compile cache, ` +
      `${result.knownFailures} known failures not retried).`,
  );

  await recomputeAssignments();
  scheduleAssignmentRecompute();

  if ((await countUsers()) === 0) {
    const token = await issueToken("first-admin", null, FIRST_ADMIN_LINK_TTL_MS);
    console.log(
      `\nNo one has an account yet. Create the first administrator within 24 hours at:\n  ${publicOrigin()}/setup/${token}\n`,
    );
  }
}
