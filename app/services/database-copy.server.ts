/**
 * Moving an SQLite installation to PostgreSQL (`staffroom db copy --to postgres://…`): both
 * databases migrated, then every table copied in one transaction of the target, which commits
 * only when every table has the source's row count and the leadership figures computed on the
 * target equal those computed on the source at the same instant. Afterwards this process uses
 * the target.
 */
import { isDeepStrictEqual } from "node:util";
import { migrateToLatest } from "#db/migrate";
import { vacuumAnalyze, copyTables, CopyRefused, planCopy } from "~/models/database-copy.server";
import { statusCounts } from "~/models/reports.server";
import { nowIso } from "~/utils/clock.server";
import { rowCounts } from "~/utils/db-catalogue.server";
import {
  databaseLocation,
  handlesFor,
  isPostgresUrl,
  openDatabase,
  switchDatabase,
  writeTransaction,
} from "~/utils/db.server";
import { summarise, type Summary } from "./reports.server";

export { CopyRefused };

export interface CopyReport {
  from: string;
  to: string;
  /** Rows per table, the same in both (checked before the commit). */
  rows: Record<string, number>;
  /** The leadership figures, identical in both (checked before the commit). */
  figures: Summary;
}

const figuresAt = async (now: string) => summarise(await statusCounts(now));

export async function copyDatabaseTo(url: string): Promise<CopyReport> {
  if (!isPostgresUrl(url)) throw new CopyRefused("--to must be a postgres:// URL.");
  const file = databaseLocation();
  if (isPostgresUrl(file)) {
    throw new CopyRefused(
      "db copy moves the SQLite database at DATABASE_PATH; this process uses DATABASE_URL. Unset it.",
    );
  }
  await migrateToLatest();
  const now = nowIso();
  const before = await figuresAt(now);
  const source = openDatabase(file);
  try {
    await switchDatabase(url);
    const target = handlesFor();
    await migrateToLatest();
    const rows = await writeTransaction(async () => {
      const tables = await planCopy(source);
      const copied = await copyTables(source, tables);
      const [sourceCounts, targetCounts] = [await rowCounts(source), await rowCounts(target)];
      const differ = tables.filter(
        (t) => copied[t] !== sourceCounts[t] || targetCounts[t] !== sourceCounts[t],
      );
      if (differ.length > 0) {
        throw new Error(
          `Row counts differ after the copy in ${differ.join(", ")}; nothing was kept.`,
        );
      }
      if (!isDeepStrictEqual(await figuresAt(now), before)) {
        throw new Error("The leadership figures differ after the copy; nothing was kept.");
      }
      return copied;
    });
    await vacuumAnalyze();
    return { from: file, to: target.location, rows, figures: before };
  } finally {
    await source.db.destroy();
  }
}
