import fs from "node:fs";
import path from "node:path";
import { backupDatabase } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { UsageError } from "./usage";

export async function backupCommand(args: string[]): Promise<number> {
  const [target, ...extra] = args;
  if (!target || extra.length > 0) throw new UsageError("Usage: staffroom backup <file>");
  const resolved = path.resolve(target);
  if (resolved === env().databasePath)
    throw new UsageError("The backup file must not be the database itself.");
  if (fs.existsSync(resolved)) {
    console.error(
      `${target} already exists; choose a new file name so that no backup is overwritten.`,
    );
    return 1;
  }
  if (!fs.existsSync(env().databasePath)) {
    console.error(`There is no database at ${env().databasePath} to back up.`);
    return 1;
  }
  await backupDatabase(resolved);
  console.log(
    `Backed up ${env().databasePath} to ${resolved} (${fs.statSync(resolved).size} bytes).`,
  );
  return 0;
}
