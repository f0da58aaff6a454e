/**
 * The database: one module decides the engine. `DATABASE_URL=postgres://…` runs Staffroom on
 * PostgreSQL (postgres-driver.server.ts); without it, on the SQLite file at DATABASE_PATH
 * (sqlite-driver.server.ts). Models use `db` and `writeTransaction` and never ask which; what
 * has to differ is kept beside it: locks here, the schema catalogue in db-catalogue.server.ts,
 * backups and erasure's clean-up in db-maintenance.server.ts.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type pg from "pg";
import { Kysely, sql, type Transaction } from "kysely";
import type { Database as Schema } from "#db/schema";
import { classifyDatabaseError } from "./db-errors.server";
import { env } from "./env.server";
import { ADVISORY_LOCK_CLASS, isRetryable, openPostgres } from "./postgres-driver.server";
import { serialQueue } from "./serial-queue";
import { StaffroomSqliteDialect } from "./sqlite-driver.server";
import { joinedScope, writeScope, type WriteScope } from "./write-scope.server";

/** How long a write waits for another's lock before giving up with 503. */
export const BUSY_TIMEOUT_MS = 5000;
const MIN_SQLITE_VERSION = [3, 51, 3] as const;

export type Engine = "sqlite" | "postgres";

interface CommonHandles {
  db: Kysely<Schema>;
  /** For messages: the SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** Whose write transactions `writeScope` holds (see write-scope.server.ts). */
  scopeOwner: object;
}

export interface SqliteHandles extends CommonHandles {
  engine: "sqlite";
  /** The writer handle, for pragmas and SQLite-only tests; application code goes through `db`. */
  sqlite: Database.Database;
  /** The read-only handle that `db` sends reads to. */
  reader: Database.Database;
  file: string;
}

export interface PostgresHandles extends CommonHandles {
  engine: "postgres";
  pool: pg.Pool;
  url: string;
}

export type DatabaseHandles = SqliteHandles | PostgresHandles;

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//.test(location);

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

/** Opens the SQLite file or the PostgreSQL database (a `postgres://` URL) at `location`. */
export function openDatabase(location: string): DatabaseHandles {
  if (isPostgresUrl(location)) {
    const {
      pool,
      driver,
      dialect,
      location: shown,
    } = openPostgres({
      url: location,
      poolSize: env().DATABASE_POOL_SIZE,
      lockTimeoutMs: BUSY_TIMEOUT_MS,
    });
    return {
      engine: "postgres",
      pool,
      url: location,
      db: new Kysely<Schema>({ dialect }),
      location: shown,
      scopeOwner: driver,
    };
  }
  const file = location;
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
  return {
    engine: "sqlite",
    sqlite: writer,
    reader,
    db: new Kysely<Schema>({ dialect }),
    file,
    location: file,
    scopeOwner: writer,
  };
}

let handles: DatabaseHandles | undefined;
let chosen: string | undefined;
/** How many times this process has opened a database (for `dataVersion`). */
let opened = 0;

/** Where this process's database is: `switchDatabase`'s choice, else DATABASE_URL, else DATABASE_PATH. */
export function databaseLocation(): string {
  return chosen ?? (env().DATABASE_URL || env().databasePath);
}

/** The handles of this process (SQLite: a writer and a reader connection; PostgreSQL: a pool). */
export function handlesFor(): DatabaseHandles {
  if (!handles) {
    handles = openDatabase(databaseLocation());
    opened += 1;
  }
  return handles;
}

/** Which engine this process runs on. */
export const databaseEngine = (): Engine => handlesFor().engine;

/** Closes this process's database and points it at another (the CLI's `db copy`, the bench). */
export async function switchDatabase(location: string | undefined): Promise<void> {
  await closeDatabase();
  chosen = location;
}

/** Opens lazily, so that tests and the CLI can choose the database before the first query. */
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

export interface WriteOptions {
  /** The database (default: this process's). */
  on?: DatabaseHandles;
  /**
   * The person whose own records this transaction changes (their progress, evidence and
   * certificates). PostgreSQL: transactions for the same person queue for a lock taken before
   * BEGIN, so each starts from a snapshot that holds the one before it, instead of colliding
   * with it and running again. SQLite's write lock queues every transaction anyway.
   */
  person?: number;
}

/**
 * The one way to write several statements together; invariants checked inside hold until the
 * commit. SQLite: the write lock is taken at the start (`BEGIN IMMEDIATE`). PostgreSQL: the
 * transaction is SERIALIZABLE, and when it loses a race (serialization failure or deadlock) it
 * runs again from the start after a short random pause, until it has run ten times and the
 * busy timeout has passed since its first loss (as SQLite waits for its lock), then gives up
 * with 503. So `work` must only do database work: await nothing else inside it and change
 * nothing outside it (return what the caller needs instead).
 * Called inside another write transaction, `work` joins it; inside its async scope, queries
 * through the plain `db` join it too.
 */
export async function writeTransaction<T>(
  work: (trx: WriteTransaction) => Promise<T>,
  { on = handlesFor(), person }: WriteOptions = {},
): Promise<T> {
  const outer = joinedScope(on.scopeOwner);
  if (outer) return work(outer.trx as WriteTransaction);
  if (on.engine === "sqlite") return runTransaction(on, work);
  let deadline: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await (person === undefined
        ? runTransaction(on, work)
        : queuedFor(on, { person, alone: attempt > RUN_ALONE_AFTER }, (connection) =>
            runTransaction(on, work, connection),
          ));
    } catch (error) {
      if (!isRetryable(error)) throw error;
      deadline ??= Date.now() + BUSY_TIMEOUT_MS;
      if (Date.now() >= deadline && attempt >= MIN_ATTEMPTS) {
        throw classifyDatabaseError(error, on.location, true);
      }
      // Random, so that the transactions that collided do not collide again.
      const pause = Math.random() * Math.min(100, 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function runTransaction<T>(
  on: DatabaseHandles,
  work: (trx: WriteTransaction) => Promise<T>,
  connection: Kysely<Schema> = on.db,
) {
  const scope: WriteScope = { active: false, trx: undefined, owner: on.scopeOwner };
  const builder =
    on.engine === "postgres"
      ? connection.transaction().setIsolationLevel("serializable")
      : connection.transaction();
  return writeScope.run(scope, () =>
    builder.execute(async (trx) => {
      scope.trx = trx;
      scope.active = true;
      try {
        return await work(trx);
      } finally {
        scope.active = false;
      }
    }),
  );
}

/** A transaction that loses races runs at least this often before it gives up. */
const MIN_ATTEMPTS = 10;

/**
 * A person's transaction that lost this many races in a row runs alone among person
 * transactions (they share a lock it then takes exclusively): bursts cannot starve it.
 */
const RUN_ALONE_AFTER = 4;

/** Each person's transactions in this process, one after the other. */
const personQueues = new Map<number, { run: ReturnType<typeof serialQueue>; waiting: number }>();

/**
 * PostgreSQL: runs `transaction` on one connection holding the person's lock, taken before it
 * begins (other servers queue there), and the person transactions' shared lock (exclusively,
 * `alone`); this process's own queue for the person comes first, so that its transactions for
 * one person never hold several pooled connections at once.
 */
async function queuedFor<T>(
  on: DatabaseHandles,
  { person, alone }: { person: number; alone: boolean },
  transaction: (connection: Kysely<Schema>) => Promise<T>,
): Promise<T> {
  const queue = personQueues.get(person) ?? { run: serialQueue(), waiting: 0 };
  personQueues.set(person, queue);
  queue.waiting++;
  try {
    return await queue.run(() =>
      on.db.connection().execute(async (connection) => {
        const key = sql`${sql.lit(PERSON_LOCK_CLASS)}, ${person}::int4`;
        const all = sql`${sql.lit(ADVISORY_LOCK_CLASS)}, ${sql.lit(PERSON_TRANSACTIONS)}`;
        const [lockAll, unlockAll] = alone
          ? [sql`pg_advisory_lock(${all})`, sql`pg_advisory_unlock(${all})`]
          : [sql`pg_advisory_lock_shared(${all})`, sql`pg_advisory_unlock_shared(${all})`];
        await sql`select pg_advisory_lock(${key}), ${lockAll}`.execute(connection);
        try {
          return await transaction(connection);
        } finally {
          await sql`select ${unlockAll}, pg_advisory_unlock(${key})`.execute(connection);
        }
      }),
    );
  } finally {
    if (--queue.waiting === 0) personQueues.delete(person);
  }
}

/** PostgreSQL advisory locks of one person's transactions: (this class, the person's id). */
const PERSON_LOCK_CLASS = ADVISORY_LOCK_CLASS + 1;
/** Every person transaction holds this lock shared; one that must run alone, exclusively. */
const PERSON_TRANSACTIONS = 6;

/** Staffroom's own exclusive sections, by PostgreSQL advisory-lock key. */
const EXCLUSIVE = { recompute: 3, "course-sync": 4 } as const;

/**
 * Inside a write transaction: waits until no other transaction holds `name`, and holds it until
 * this one ends, so that whole-table work (recomputing assignments, publishing courses) runs one
 * at a time across servers. SQLite's write lock already does that.
 */
export async function exclusively(name: keyof typeof EXCLUSIVE): Promise<void> {
  const on = handlesFor();
  if (!joinedScope(on.scopeOwner))
    throw new Error(`exclusively("${name}") needs a write transaction.`);
  if (on.engine === "postgres") {
    await sql`select pg_advisory_xact_lock(${sql.lit(ADVISORY_LOCK_CLASS)}, ${sql.lit(EXCLUSIVE[name])})`.execute(
      db,
    );
  }
}

/**
 * Inside a write transaction that has just written many rows of `tables`: PostgreSQL plans
 * the rest of it (a recompute over everyone) from statistics that know nothing of those rows
 * and can pick plans thousands of times slower, so they are refreshed first. SQLite plans
 * without such statistics.
 */
export async function refreshPlannerStatistics(tables: (keyof Schema)[]): Promise<void> {
  if (databaseEngine() !== "postgres") return;
  await sql`analyze ${sql.join(tables.map((name) => sql.table(name)))}`.execute(db);
}

/**
 * A token that changes whenever anything is committed to the database, by this process or any
 * other, or another database is opened: SQLite's `data_version`, read on the reader connection
 * (which never writes, so every commit is another connection's). Null on PostgreSQL, which has
 * no such counter.
 */
export function dataVersion(): string | null {
  const on = handlesFor();
  if (on.engine === "postgres") return null;
  return `${opened}.${on.reader.pragma("data_version", { simple: true })}`;
}

export async function closeDatabase() {
  const open = handles;
  handles = undefined;
  await open?.db.destroy();
}
