import os from "node:os";
import { parseArgs } from "node:util";
import { commandLineActor } from "~/models/audit.server";

export const USAGE = `Usage: staffroom <command>

  migrate                               apply database migrations
  demo                                  seed a demo organisation (./data/demo.db) and serve it
  courses check [--strict] [dir]        validate and compile every course; exit 1 on any error
                                        (--strict: quiz-quality warnings count as errors)
  courses sync                          load COURSES_DIR into the database
  users import <file.csv> [--dry-run]   validate a roster CSV, then apply it whole (or nothing)
  users list [--format table|json]      everyone on the roster, deactivated people included
  users invite <email>                  print (and mail) a one-time set-password link
  users set-password <email>            read a new password from standard input
  users deactivate <email>              deactivate a person and end their sessions; history stays
  users export <email>                  everything held about a person, as JSON on standard output
  users erase <email> --yes             erase a person's personal data for good (see README)
  report not-finished [--course <slug>] [--department <name>] [--overdue] [--format table|csv|json]
  reminders run [--dry-run] [--format table|json]
                                        send today's due-date reminders, escalations, digests and
                                        summaries, each exactly once (--dry-run: list, send nothing)
  backup <file>                         a consistent copy of the database, safe while serving
  db copy --to postgres://…             copy the SQLite database into a new, empty PostgreSQL one

Environment: DATABASE_PATH (./data/staffroom.db) or DATABASE_URL (postgres://…), COURSES_DIR
(./courses), PORT, ORIGIN, SMTP_URL, ORG_TIMEZONE, ORG_NAME.`;

/** Bad command-line input: reported with the usage text and exit code 1. */
export class UsageError extends Error {}

/** Parses flags strictly: an unknown flag is a usage error, not silently ignored. */
export function parseFlags<T extends Record<string, { type: "string" | "boolean" }>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Prints rows as aligned columns, the first row being the header. */
export function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  }
}

/** The audit log's name for whoever runs the command line. */
export const cliActor = () => commandLineActor(os.userInfo().username);
