/**
 * Kysely's SQLite driver, reshaped for several processes on one WAL database.
 *
 * - Two handles: reads outside a transaction go to a reader, so a long write never holds up a
 *   page view; everything else goes to the writer, one statement or transaction at a time.
 * - Every transaction starts `BEGIN IMMEDIATE`: it takes the write lock before its first read,
 *   so another process can never turn it into SQLITE_BUSY_SNAPSHOT halfway through.
 * - Waiting for another process's write lock happens here, asynchronously, with backoff, up to
 *   `busyTimeoutMs`: the event loop keeps serving reads meanwhile. Then `DatabaseUnavailable`.
 * - A failed COMMIT (disk full) has already rolled back in SQLite; ROLLBACK is skipped then, so
 *   the real error reaches the log instead of "cannot rollback - no transaction is active".
 * - Inside a write transaction's own async context (`write-scope.server.ts`), queries made through the
 *   plain `db` join that transaction instead of waiting for it (which would never end) or
 *   reading around it. Queries from any other request wait, or read the last commit.
 * - better-sqlite3 answers synchronously, so a long chain of queries (an import, a recompute, an
 *   export) would hold the event loop until it ends: every query first calls `giveWay()`
 *   (event-loop.server.ts), and pages are served meanwhile. A write transaction keeps its lock
 *   across the turn; other writers wait for it, as they would anyway.
 */
import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from "kysely";
import { classifyDatabaseError } from "./db-errors.server";
import { giveWay } from "./event-loop.server";
import { joinedScope } from "./write-scope.server";

interface Handles {
  writer: BetterSqlite3.Database;
  reader: BetterSqlite3.Database;
  /** For messages: which file this is. */
  file: string;
  busyTimeoutMs: number;
}

/** One writer at a time within this process; other processes are kept out by SQLite's lock. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

const isBusy = (error: unknown) =>
  typeof (error as { code?: unknown })?.code === "string" &&
  (error as { code: string }).code.startsWith("SQLITE_BUSY");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Prepared statements by SQL text, per handle: a page asks the same few queries every time, and
 * preparing one costs more than running it. Only `run` uses these (each call finishes before it
 * returns); streamed reads prepare their own, which may stay open across turns of the loop.
 */
const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();
const MAX_STATEMENTS = 500;

function prepared(handle: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = statements.get(handle);
  if (!cache) statements.set(handle, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    // Lists of ids make many one-off texts: start again rather than grow without bound.
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    stmt = handle.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

function run(handle: BetterSqlite3.Database, query: CompiledQuery): QueryResult<unknown> {
  const stmt = prepared(handle, query.sql);
  if (stmt.reader) return { rows: stmt.all(query.parameters as unknown[]) };
  const { changes, lastInsertRowid } = stmt.run(query.parameters as unknown[]);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}

const joinsScope = (writer: BetterSqlite3.Database) => joinedScope(writer) !== undefined;

class RoutingConnection implements DatabaseConnection {
  /** Set while this connection holds the writer for a transaction. */
  release: (() => void) | undefined;

  constructor(
    private readonly handles: Handles,
    private readonly mutex: Mutex,
  ) {}

  get inTransaction() {
    return this.release !== undefined;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await giveWay();
    try {
      if (this.inTransaction || joinsScope(this.handles.writer))
        return run(this.handles.writer, query) as QueryResult<R>;
      if (SelectQueryNode.is(query.query)) return run(this.handles.reader, query) as QueryResult<R>;
      const deadline = busyDeadline(this.handles);
      const release = await this.mutex.lock();
      try {
        return (await withBusyRetry(deadline, () =>
          run(this.handles.writer, query),
        )) as QueryResult<R>;
      } finally {
        release();
      }
    } catch (error) {
      throw classifyDatabaseError(error, this.handles.file);
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("Only SELECT queries can be streamed.");
    const joined = this.inTransaction || joinsScope(this.handles.writer);
    const handle = joined ? this.handles.writer : this.handles.reader;
    for (const row of handle.prepare(query.sql).iterate(query.parameters as unknown[])) {
      yield { rows: [row as R] };
    }
  }
}

/**
 * When a write that starts waiting now must give up. Taken before the wait for this process's
 * own writer queue: behind a writer that is itself waiting out another process's lock, the
 * queue is part of the wait, or the k-th request in it would wait k busy timeouts.
 */
const busyDeadline = (handles: Handles) => Date.now() + handles.busyTimeoutMs;

/** Retries `attempt` while another process holds the write lock, until `deadline`. */
async function withBusyRetry<T>(deadline: number, attempt: () => T): Promise<T> {
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
    }
    await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
  }
}

class StaffroomSqliteDriver implements Driver {
  readonly #mutex = new Mutex();

  constructor(private readonly handles: Handles) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutingConnection(this.handles, this.#mutex);
  }

  async beginTransaction(connection: DatabaseConnection) {
    const conn = connection as RoutingConnection;
    const deadline = busyDeadline(this.handles);
    const release = await this.#mutex.lock();
    try {
      await withBusyRetry(deadline, () => this.handles.writer.exec("BEGIN IMMEDIATE"));
    } catch (error) {
      release();
      throw classifyDatabaseError(error, this.handles.file);
    }
    conn.release = release;
  }

  async commitTransaction(connection: DatabaseConnection) {
    const conn = connection as RoutingConnection;
    try {
      this.handles.writer.exec("COMMIT");
    } catch (error) {
      // A COMMIT that fails (disk full, I/O) has rolled back already, or Kysely rolls back next.
      throw classifyDatabaseError(error, this.handles.file);
    } finally {
      if (!this.handles.writer.inTransaction) this.#finish(conn);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    const conn = connection as RoutingConnection;
    try {
      if (this.handles.writer.inTransaction) this.handles.writer.exec("ROLLBACK");
    } finally {
      this.#finish(conn);
    }
  }

  async releaseConnection() {}

  async destroy() {
    this.handles.reader.close();
    this.handles.writer.close();
  }

  #finish(conn: RoutingConnection) {
    const release = conn.release;
    conn.release = undefined;
    release?.();
  }
}

export class StaffroomSqliteDialect implements Dialect {
  constructor(private readonly handles: Handles) {}
  createDriver(): Driver {
    return new StaffroomSqliteDriver(this.handles);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}
