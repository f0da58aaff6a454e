/**
 * Work on the database as a whole: consistent backups, and erasures whose deleted bytes leave
 * the file.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { readSqliteFile, rowCounts } from "./db-catalogue.server";
import { databaseEngine, db, handlesFor } from "./db.server";
import { backupPostgres } from "./postgres-driver.server";

export interface BackupReport {
  file: string;
  bytes: number;
  tables: Record<string, number>;
  /** What checked the copy. */
  check: string;
}

/**
 * A consistent copy of the database at `target`, never over an existing file; an interrupted
 * backup never leaves a file under that name.
 *
 * SQLite: `VACUUM INTO`, which reads one snapshot that concurrent writes cannot restart, into
 * `<file>.partial-<random>`, checked (`integrity_check`, row counts) and then renamed.
 * PostgreSQL: `pg_dump --format=custom` of one exported snapshot (see postgres-driver.server.ts).
 */
export async function backupDatabase(target: string): Promise<BackupReport> {
  const file = path.resolve(target);
  if (fs.existsSync(file)) throw new Error(`${target} already exists: choose a new file name.`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const on = handlesFor();
  if (on.engine === "postgres") {
    const dump = await backupPostgres(on.pool, on.url, file);
    return { file, ...dump, check: "Check: pg_restore --list reads the data of every table" };
  }
  const partial = `${file}.partial-${crypto.randomBytes(4).toString("hex")}`;
  try {
    on.sqlite.prepare("VACUUM INTO ?").run(partial);
    const copy = readSqliteFile(partial);
    let tables: Record<string, number>;
    try {
      const integrity = copy.sqlite.pragma("integrity_check", { simple: true });
      if (integrity !== "ok") throw new Error(`the copy failed its integrity check: ${integrity}`);
      tables = await rowCounts(copy);
    } finally {
      await copy.db.destroy();
    }
    fs.renameSync(partial, file);
    return { file, bytes: fs.statSync(file).size, tables, check: "Integrity check: ok" };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Runs an erasure (`work` returns the rows it touched per table) so that the bytes it deletes
 * leave the database. SQLite: freed pages are overwritten while it runs (`secure_delete`), then
 * the WAL is folded into the file and truncated; `scrubbed` is false when readers kept that from
 * completing. PostgreSQL: the touched tables are vacuumed afterwards, so their pages no longer
 * hold the old rows; copies can stay in the server's write-ahead log and free disk space until
 * they are reused (README, "Erasing a person").
 */
export async function withScrubbedDeletes(
  work: () => Promise<Record<string, number>>,
): Promise<{ result: Record<string, number>; scrubbed: boolean }> {
  if (databaseEngine() === "postgres") {
    const result = await work();
    const tables = Object.keys(result).map((name) => sql.table(name));
    if (tables.length > 0) await sql`vacuum ${sql.join(tables)}`.execute(db);
    return { result, scrubbed: true };
  }
  const { rows } = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(db);
  const before = rows[0]?.secure_delete ?? 0;
  await sql`pragma secure_delete = on`.execute(db);
  try {
    const result = await work();
    const checkpoint = await sql<{ busy: number }>`pragma wal_checkpoint(truncate)`.execute(db);
    return { result, scrubbed: checkpoint.rows[0]?.busy === 0 };
  } finally {
    await sql`pragma secure_delete = ${sql.raw(String(Number(before)))}`.execute(db);
  }
}
