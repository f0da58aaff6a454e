import fs from "node:fs";
import path from "node:path";
import { backupDatabase } from "~/utils/db-maintenance.server";
import { databaseLocation, handlesFor, isPostgresUrl } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { UsageError } from "./usage";

export async function backupCommand(args: string[]): Promise<number> {
  const [target, ...extra] = args;
  if (!target || extra.length > 0) throw new UsageError("Usage: staffroom backup <file>");
  const resolved = path.resolve(target);
  const postgres = isPostgresUrl(databaseLocation());
  if (!postgres && resolved === env().databasePath)
    throw new UsageError("The backup file must not be the database itself.");
  if (fs.existsSync(resolved)) {
    console.error(
      `${target} already exists; choose a new file name so that no backup is overwritten.`,
    );
    return 1;
  }
  if (!postgres && !fs.existsSync(env().databasePath)) {
    console.error(`There is no database at ${env().databasePath} to back up.`);
    return 1;
  }
  const report = await backupDatabase(resolved);
  const rows = Object.entries(report.tables)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `  ${table.padEnd(24)} ${n.toLocaleString("en")}`);
  console.log(
    `Backed up ${handlesFor().location} to ${report.file} ` +
      `(${report.bytes.toLocaleString("en")} bytes${postgres ? ", pg_dump custom format" : ""}).\n` +
      `${report.check}. Rows in the copy:\n${rows.join("\n")}`,
  );
  return 0;
}
