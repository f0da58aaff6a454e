import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database as Schema } from "#db/schema";
import { env } from "./env.server";

export const BUSY_TIMEOUT_MS = 5000;
const MIN_SQLITE_VERSION = [3, 51, 3] as const;

export interface DatabaseHandles {
  sqlite: Database.Database;
  db: Kysely<Schema>;
}

export function openDatabase(file: string): DatabaseHandles {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // SQLite-only pragmas. NORMAL is durable against a process crash in WAL mode (what F1 tests);
  // only an OS crash or power loss can lose the last transactions. See README, "Design decisions".
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  assertSqliteVersion(sqlite);
  return { sqlite, db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }) };
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

let handles: DatabaseHandles | undefined;

/** The one handle of this process, shared by Kysely and the session store. */
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

export function closeDatabase() {
  handles?.sqlite.close();
  handles = undefined;
}

/** An online, consistent copy of the database (SQLite's backup API), safe while the server runs. */
export async function backupDatabase(target: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  await handlesFor().sqlite.backup(target);
}
