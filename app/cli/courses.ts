import path from "node:path";
import { migrateToLatest } from "#db/migrate";
import { checkCourses, formatCourseErrors, syncCourses } from "~/services/courses.server";
import { env } from "~/utils/env.server";
import { cliActor, UsageError } from "./usage";

const USAGE = "Usage: staffroom courses check [dir] | staffroom courses sync";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `courses check [dir]` and `courses sync`. Returns the exit code. */
export async function coursesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "check") {
    if (rest.length > 1) throw new UsageError(USAGE);
    const dir = rest[0] ? path.resolve(process.cwd(), rest[0]) : env().coursesDir;
    const result = await checkCourses(dir);
    if (result.errors.length > 0) {
      console.error(formatCourseErrors(result.errors, { dir }));
      console.error(`${plural(result.errors.length, "error")} found.`);
      return 1;
    }
    const lessons = result.courses.reduce((n, c) => n + c.lessons.length, 0);
    console.log(`${plural(result.courses.length, "course")}, ${plural(lessons, "lesson")} OK`);
    return 0;
  }
  if (sub === "sync") {
    if (rest.length > 0) throw new UsageError(USAGE);
    await migrateToLatest();
    const dir = env().coursesDir;
    const summary = await syncCourses(dir, cliActor());
    if (summary.errors.length > 0) {
      console.error(formatCourseErrors(summary.errors, { dir }));
      console.error(
        `${plural(summary.errors.length, "error")}: nothing was changed; the published versions stay live.`,
      );
      return 1;
    }
    console.log(
      `${plural(summary.courses, "course")}, ${plural(summary.lessons, "lesson")}: ` +
        `${summary.published} published, ${summary.unchanged} unchanged, ${summary.archived} archived, ` +
        `${summary.reopened} completions re-opened ` +
        `(${summary.compiled} compiled, ${summary.reused} from cache)`,
    );
    return 0;
  }
  throw new UsageError(USAGE);
}
