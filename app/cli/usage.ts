import { parseArgs } from "node:util";

export const USAGE = `Usage: staffroom <command>

  migrate                               apply database migrations
  demo                                  seed a demo organisation (./data/demo.db) and serve it
  courses check [dir]                   validate and compile every course; exit 1 on any error
  courses sync                          load COURSES_DIR into the database
  users set-password <email>            read a new password from standard input
  report not-finished [--course <slug>] [--department <name>] [--format table|csv|json]
  backup <file>                         a consistent copy of the database, safe while serving

Environment: DATABASE_PATH (./data/staffroom.db), COURSES_DIR (./courses), PORT, ORIGIN.`;

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
