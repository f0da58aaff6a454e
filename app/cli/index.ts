import { migrateToLatest } from "#db/migrate";
import { closeDatabase } from "~/utils/db.server";
import { backupCommand } from "./backup";
import { coursesCommand } from "./courses";
import { dbCommand } from "./db";
import { demoCommand } from "./demo";
import { remindersCommand } from "./reminders";
import { reportCommand } from "./report";
import { usersCommand } from "./users";
import { UsageError, USAGE } from "./usage";

async function migrateCommand(): Promise<number> {
  const applied = await migrateToLatest();
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  migrate: migrateCommand,
  demo: demoCommand,
  courses: coursesCommand,
  users: usersCommand,
  report: reportCommand,
  reminders: remindersCommand,
  backup: backupCommand,
  db: dbCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 1;
  }
  try {
    return await command(rest);
  } catch (error) {
    console.error(
      error instanceof UsageError
        ? `${error.message}\n\n${USAGE}`
        : `Error: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    await closeDatabase();
  }
}
