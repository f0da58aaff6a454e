import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, type Transaction } from "kysely";
import type { Database as Schema } from "#db/schema";
import { env } from "./env.server";
import { StaffroomSqliteDialect, writeScope } from "./sqlite-driver.server";

/** How long a write waits for another process's write lock before giving up with 503. */
export const BUSY_TIMEOUT_MS = 5000;
const MIN_SQLITE_VERSION = [3, 51, 3] as const;

export interface DatabaseHandles {
  /** The writer handle, for pragmas and tests; application code goes through `db`. */
  sqlite: Database.Database;
  db: Kysely<Schema>;
  file: string;
}

/** The database cannot be opened; the message names the file and what to do. */
export class DatabaseOpenError extends Error {
  constructor(file: string, problem: string, fix: string) {
    super(`Cannot open the database ${file}: ${problem}. ${fix}`);
    this.name = "DatabaseOpenError";
  }
}

function checkLocation(file: string) {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseOpenError(
      file,
      `its folder cannot be created (${(error as NodeJS.ErrnoException).code})`,
      "Set DATABASE_PATH to a file in a folder this user may write to.",
    );
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new DatabaseOpenError(
      file,
      `the folder ${dir} is read-only for this user`,
      "SQLite writes its -wal and -shm files beside the database: make the folder writable, or set DATABASE_PATH elsewhere.",
    );
  }
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) {
    throw new DatabaseOpenError(file, "it is not a regular file", "Point DATABASE_PATH at a file.");
  }
  if (stat && stat.size === 0) {
    // An empty file is never a database we made: most often a failed copy or restore.
    throw new DatabaseOpenError(
      file,
      "the file is empty (0 bytes), so it is not a Staffroom database",
      "If you were restoring a backup, the copy did not complete: copy it again. For a new installation, delete the empty file and start again.",
    );
  }
  if (stat) {
    try {
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch {
      throw new DatabaseOpenError(
        file,
        "the file is not readable and writable by this user",
        "Fix its owner or permissions (and those of its -wal and -shm files).",
      );
    }
  }
}

function assertSqliteVersion(sqlite: Database.Database) {
  const { version } = sqlite.prepare("select sqlite_version() as version").get() as {
    version: string;
  };
  const parts = version.split(".").map(Number);
  for (let i = 0; i < MIN_SQLITE_VERSION.length; i++) {
    const have = parts[i] ?? 0;
    const need = MIN_SQLITE_VERSION[i]!;
    if (have > need) return;
    if (have < need) {
      throw new Error(
        `SQLite ${version} is too old: Staffroom needs ${MIN_SQLITE_VERSION.join(".")} or newer.`,
      );
    }
  }
}

function openHandle(file: string, role: "writer" | "reader"): Database.Database {
  let handle: Database.Database | undefined;
  try {
    handle = new Database(file);
    if (role === "writer") {
      // NORMAL is durable against a crash of the process in WAL mode (F1 tests it); only an OS
      // crash or power loss can lose the last transactions. See README, "Design decisions".
      handle.pragma("journal_mode = WAL");
      handle.pragma("synchronous = NORMAL");
      handle.pragma("foreign_keys = ON");
      // Waiting for other processes happens asynchronously in the driver; this covers blips.
      handle.pragma("busy_timeout = 20");
    } else {
      handle.pragma("query_only = ON");
      handle.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    return handle;
  } catch (error) {
    handle?.close();
    const code = (error as { code?: string }).code ?? "";
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
      throw new DatabaseOpenError(
        file,
        "it is not an SQLite database (or it is damaged)",
        "Check DATABASE_PATH; restore the latest backup if the file was damaged.",
      );
    }
    if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN")) {
      throw new DatabaseOpenError(
        file,
        `SQLite cannot open it for writing (${code})`,
        "Check the permissions of the file, its -wal and -shm files and its folder.",
      );
    }
    throw error;
  }
}

export function openDatabase(file: string): DatabaseHandles {
  checkLocation(file);
  const writer = openHandle(file, "writer");
  try {
    assertSqliteVersion(writer);
  } catch (error) {
    writer.close();
    throw error;
  }
  const reader = openHandle(file, "reader");
  const dialect = new StaffroomSqliteDialect({
    writer,
    reader,
    file,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
  });
  return { sqlite: writer, db: new Kysely<Schema>({ dialect }), file };
}

let handles: DatabaseHandles | undefined;

/** The handles of this process (a writer and a reader connection behind one Kysely). */
export function handlesFor(): DatabaseHandles {
  handles ??= openDatabase(env().databasePath);
  return handles;
}

/** Opens lazily, so that tests and the CLI can choose DATABASE_PATH before the first query. */
export const db = new Proxy({} as Kysely<Schema>, {
  get(_, prop) {
    const target = handlesFor().db as unknown as Record<PropertyKey, unknown>;
    const value = target[prop];
    return typeof value === "function"
      ? (value as (...a: unknown[]) => unknown).bind(handlesFor().db)
      : value;
  },
});

export type WriteTransaction = Transaction<Schema>;

/**
 * The one way to write several statements together: the write lock is taken at the start
 * (`BEGIN IMMEDIATE`), so invariants checked inside hold until the commit. Await only database
 * calls inside `work`. Called inside another write transaction, `work` joins it; inside its
 * async scope, queries through the plain `db` join it too.
 */
export function writeTransaction<T>(
  work: (trx: WriteTransaction) => Promise<T>,
  on: DatabaseHandles = handlesFor(),
): Promise<T> {
  const outer = writeScope.getStore();
  if (outer?.active && outer.writer === on.sqlite) return work(outer.trx as WriteTransaction);
  return on.db.transaction().execute(async (trx) => {
    const scope = { active: true, trx, writer: on.sqlite };
    try {
      return await writeScope.run(scope, () => work(trx));
    } finally {
      scope.active = false;
    }
  });
}

export async function closeDatabase() {
  const open = handles;
  handles = undefined;
  await open?.db.destroy();
}

export interface BackupReport {
  file: string;
  bytes: number;
  tables: Record<string, number>;
}

/**
 * A consistent copy through `VACUUM INTO`, which reads one snapshot that concurrent writes cannot
 * restart. It is written to `<file>.partial-<random>`, checked (`integrity_check`, row counts)
 * and only then renamed to `file`; an interrupted backup never leaves a file under that name.
 */
export function backupDatabase(target: string): BackupReport {
  const file = path.resolve(target);
  if (fs.existsSync(file)) throw new Error(`${target} already exists: choose a new file name.`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${crypto.randomBytes(4).toString("hex")}`;
  try {
    handlesFor().sqlite.prepare("VACUUM INTO ?").run(partial);
    const copy = new Database(partial, { readonly: true });
    let tables: Record<string, number>;
    try {
      const integrity = copy.pragma("integrity_check", { simple: true });
      if (integrity !== "ok") throw new Error(`the copy failed its integrity check: ${integrity}`);
      tables = rowCounts(copy);
    } finally {
      copy.close();
    }
    fs.renameSync(partial, file);
    return { file, bytes: fs.statSync(file).size, tables };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** Rows in every table of an SQLite file, for backups and restores to be compared. */
export function rowCounts(handle: Database.Database): Record<string, number> {
  const names = handle
    .prepare(
      "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    names.map((name) => [
      name,
      handle
        .prepare(`select count(*) from "${name.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}
