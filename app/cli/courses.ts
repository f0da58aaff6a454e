import path from "node:path";
import { migrateToLatest } from "#db/migrate";
import {
  checkCourses,
  describeRefusal,
  formatCourseErrors,
  syncCourses,
} from "~/services/courses.server";
import { env } from "~/utils/env.server";
import { cliActor, parseFlags, UsageError } from "./usage";

const USAGE = "Usage: staffroom courses check [--strict] [dir] | staffroom courses sync";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `courses check [--strict] [dir]` and `courses sync`. Returns the exit code. */
export async function coursesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "check") {
    const { values, positionals } = parseFlags(rest, { strict: { type: "boolean" } });
    if (positionals.length > 1) throw new UsageError(USAGE);
    const dir = positionals[0] ? path.resolve(process.cwd(), positionals[0]) : env().coursesDir;
    const result = await checkCourses(dir);
    const findings = [...result.errors, ...result.warnings].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    );
    if (findings.length > 0) console.error(formatCourseErrors(findings, { dir }));
    const warnings = plural(result.warnings.length, "warning");
    if (result.errors.length > 0 || (values.strict && result.warnings.length > 0)) {
      console.error(
        values.strict
          ? `${plural(result.errors.length, "error")} and ${warnings} found (--strict: warnings count as errors).`
          : `${plural(result.errors.length, "error")} found.`,
      );
      return 1;
    }
    const lessons = result.courses.reduce((n, c) => n + c.lessons.length, 0);
    console.log(
      `${plural(result.courses.length, "course")}, ${plural(lessons, "lesson")} OK` +
        (result.warnings.length > 0 ? ` (${warnings})` : ""),
    );
    return 0;
  }
  if (sub === "sync") {
    if (rest.length > 0) throw new UsageError(USAGE);
    await migrateToLatest();
    const dir = env().coursesDir;
    const summary = await syncCourses(dir, cliActor());
    if (summary.errors.length > 0) console.error(formatCourseErrors(summary.errors, { dir }));
    console.log(
      `${plural(summary.courses, "course")}, ${plural(summary.lessons, "lesson")}: ` +
        `${summary.published} published, ${summary.unchanged} unchanged, ${summary.archived} archived, ` +
        `${summary.reopened} completions re-opened ` +
        `(${summary.compiled} compiled, ${summary.reused} from cache, ${summary.knownFailures} known failures not retried)`,
    );
    if (summary.errors.length > 0) {
      console.error(describeRefusal(summary));
      return 1;
    }
    return 0;
  }
  throw new UsageError(USAGE);
}
