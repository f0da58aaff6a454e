/**
 * Staffroom on PostgreSQL: Kysely's Postgres dialect over a `pg` pool, reshaped so that the
 * models see exactly what they see on SQLite.
 *
 * - Values: counts and epoch milliseconds (int8, numeric) arrive as numbers, instants
 *   (timestamptz) as the ISO strings `Date#toISOString()` writes, days (date) as `YYYY-MM-DD`.
 *   Sessions run in UTC, so the text PostgreSQL sends for an instant is always `…+00`.
 * - Inside a write transaction's async context, queries through the plain `db` run on the
 *   transaction's connection (see write-scope.server.ts) instead of another pooled connection,
 *   which would not see the transaction's rows and could wait on its locks forever.
 * - Errors about the environment (disk full, read-only, unreachable server, lock waits past
 *   the busy timeout) become `DatabaseUnavailable`; serialization failures and deadlocks pass
 *   through untouched, for `writeTransaction` to retry.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { classifyDatabaseError } from "./db-errors.server";
import { serialQueue } from "./serial-queue";
import { joinedScope, writeScope, type WriteScope } from "./write-scope.server";

const run = promisify(execFile);

/** Serialization failure and deadlock: the transaction lost a race and may simply run again. */
export const RETRYABLE_CODES = new Set(["40001", "40P01"]);

export const isRetryable = (error: unknown) =>
  RETRYABLE_CODES.has(String((error as { code?: unknown })?.code ?? ""));

const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INT8 = 20;
const NUMERIC = 1700;

/** `2026-03-01 09:30:00.12+00` → `2026-03-01T09:30:00.120Z`, as JavaScript writes instants. */
export function isoInstant(text: string): string {
  const utc = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?\+00$/.exec(text);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
  return new Date(text.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00")).toISOString();
}

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === TIMESTAMPTZ) return isoInstant;
    if (oid === DATE) return (text: string) => text;
    if (oid === INT8 || oid === NUMERIC) return Number;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the PostgreSQL database (DATABASE_URL)";
  }
}

type PooledConnection = Parameters<PostgresDriver["releaseConnection"]>[0];

/**
 * A pooled connection whose errors say what they mean (see db-errors.server.ts). Everything on
 * it runs one statement after the other, transaction control included: queries that join a
 * transaction may be issued together (`Promise.all`), and when one fails the ROLLBACK waits
 * for the others.
 */
class ClassifyingConnection implements DatabaseConnection {
  readonly serially = serialQueue();

  constructor(
    readonly inner: PooledConnection,
    private readonly location: string,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.serially(() => this.inner.executeQuery<R>(query));
    } catch (error) {
      throw classifyDatabaseError(error, this.location);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize = 500): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** A plain `db` query inside a write transaction's scope: it runs on the transaction's connection. */
class JoinedConnection implements DatabaseConnection {
  constructor(
    private readonly scope: WriteScope,
    private readonly target: ClassifyingConnection,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A query issued after its transaction ended must not run in whatever comes next.
    if (!this.scope.active)
      throw new Error("A query was issued after its write transaction ended.");
    return this.target.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.target.streamQuery<R>(query, chunkSize);
  }
}

class StaffroomPostgresDriver implements Driver {
  readonly #inner: PostgresDriver;

  constructor(
    pool: pg.Pool,
    private readonly location: string,
  ) {
    this.#inner = new PostgresDriver({ pool });
  }

  init() {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = joinedScope(this);
    if (scope?.connection) {
      return new JoinedConnection(scope, scope.connection as ClassifyingConnection);
    }
    try {
      const pooled = (await this.#inner.acquireConnection()) as PooledConnection;
      return new ClassifyingConnection(pooled, this.location);
    } catch (error) {
      throw classifyDatabaseError(error, this.location);
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const conn = connection as ClassifyingConnection;
    await conn.serially(() => this.#inner.beginTransaction(conn.inner, settings));
    // The transaction `writeTransaction` is starting: its scope's queries will run here.
    const scope = writeScope.getStore();
    if (scope?.owner === this && !scope.active) scope.connection = connection;
  }

  commitTransaction(connection: DatabaseConnection) {
    const conn = connection as ClassifyingConnection;
    return conn.serially(() => this.#inner.commitTransaction(conn.inner));
  }

  rollbackTransaction(connection: DatabaseConnection) {
    const conn = connection as ClassifyingConnection;
    return conn.serially(() => this.#inner.rollbackTransaction(conn.inner));
  }

  async releaseConnection(connection: DatabaseConnection) {
    // A query that joined a transaction leaves the connection to the transaction.
    if (connection instanceof JoinedConnection) return;
    await this.#inner.releaseConnection((connection as ClassifyingConnection).inner);
  }

  destroy() {
    return this.#inner.destroy();
  }
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** How long a statement waits for a lock before `DatabaseUnavailable` ("busy"). */
  lockTimeoutMs: number;
}

export function openPostgres(options: PostgresOptions) {
  const location = redactUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    types,
    lock_timeout: options.lockTimeoutMs,
    options: "-c TimeZone=UTC",
    application_name: "staffroom",
  });
  // An idle connection that breaks (the server restarted) is replaced on next use; say so once.
  pool.on("error", (error) => classifyDatabaseError(error, location));
  const driver = new StaffroomPostgresDriver(pool, location);
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
  return { pool, driver, dialect, location };
}

// ---------------------------------------------------------------------------------------------
// What differs from SQLite outside queries: the schema catalogue, locks, backups

/** Tables of the current schema, by name. */
export const TABLES_SQL = `select table_name as name from information_schema.tables
  where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`;

/** Text columns of every table, in table and column order. */
export const TEXT_COLUMNS_SQL = `select table_name as "table", column_name as "column"
  from information_schema.columns
  where table_schema = current_schema() and data_type = 'text'
  order by table_name, ordinal_position`;

/** Generated columns, as "table.column". */
export const GENERATED_COLUMNS_SQL = `select table_name || '.' || column_name as name
  from information_schema.columns
  where table_schema = current_schema() and is_generated = 'ALWAYS'`;

/** Every foreign key of the current schema: (table, column) → referenced table. */
export const FOREIGN_KEYS_SQL = `select kcu.table_name as "table", kcu.column_name as "column",
    ccu.table_name as "references"
  from information_schema.table_constraints tc
  join information_schema.key_column_usage kcu
    on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
  join information_schema.constraint_column_usage ccu
    on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
  where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()
  order by 1, 2`;

/**
 * Advisory-lock class of Staffroom's own locks; the second key names the lock: 1 the active
 * admins and 2 manager chains (the invariant triggers), 3 recompute and 4 course sync
 * (`exclusively`), 5 migrations, 6 person transactions (shared; exclusive for one that runs
 * alone). Class + 1 holds one lock per person (key: their id).
 */
export const ADVISORY_LOCK_CLASS = 7262301;

/**
 * The newest installed PostgreSQL client program (`pg_dump`, `pg_restore`, …): Debian keeps
 * them in /usr/lib/postgresql/<version>/bin; otherwise whatever PATH finds.
 */
export function postgresProgram(name: string): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? path.join(root, versions[0], "bin", name) : name;
}

/** The URL without its password, and the password for the program's environment. */
function programConnection(url: string) {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return {
    url: parsed.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

export interface PostgresBackup {
  bytes: number;
  tables: Record<string, number>;
}

/**
 * `pg_dump --format=custom` of one snapshot: a repeatable-read transaction exports its
 * snapshot, counts every table's rows in it and keeps it open while pg_dump reads the same
 * snapshot, so the counts printed are exactly what the dump holds. Written to a temporary
 * name, read back with `pg_restore --list` (every table's data must be listed), then renamed.
 */
export async function backupPostgres(
  pool: pg.Pool,
  url: string,
  file: string,
): Promise<PostgresBackup> {
  const partial = `${file}.partial-${crypto.randomBytes(4).toString("hex")}`;
  const target = programConnection(url);
  const client = await pool.connect();
  try {
    await client.query("begin isolation level repeatable read read only");
    const snapshot = (await client.query<{ id: string }>("select pg_export_snapshot() as id"))
      .rows[0]!.id;
    const tables: Record<string, number> = {};
    for (const { name } of (await client.query<{ name: string }>(TABLES_SQL)).rows) {
      const counted = await client.query<{ n: number }>(
        `select count(*) as n from ${pg.escapeIdentifier(name)}`,
      );
      tables[name] = counted.rows[0]!.n;
    }
    await run(
      postgresProgram("pg_dump"),
      ["--format=custom", `--snapshot=${snapshot}`, "--no-owner", `--file=${partial}`, target.url],
      { env: target.env },
    );
    await client.query("commit");
    const { stdout } = await run(postgresProgram("pg_restore"), ["--list", partial], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const missing = Object.keys(tables).filter(
      (name) => !new RegExp(`TABLE DATA \\S+ ${name} `).test(stdout),
    );
    if (missing.length > 0)
      throw new Error(`the dump does not list the data of ${missing.join(", ")}`);
    fs.renameSync(partial, file);
    return { bytes: fs.statSync(file).size, tables };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    client.release();
  }
}
