import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RawBuilder } from "kysely";
import { migrateToLatest } from "#db/migrate";
import { db, handlesFor, type SqliteHandles } from "~/utils/db.server";
import { createTestDatabase, testPostgresServer } from "./postgres";
import {} from "../helpers/db";

/** True under `npm run test:pg`: this file's database is PostgreSQL. */
export const onPostgres = testPostgresServer() !== undefined;

/** Migrates this test file's own database (see test/setup.ts) and returns its handles. */
export async function migratedDatabase() {
  const handles = handlesFor();
  await migrateToLatest();
  return handles;
}

/** For tests of SQLite itself (the fault tests: WAL, pragmas, files): its migrated handles. */
export async function migratedSqlite(): Promise<SqliteHandles> {
  const handles = await migratedDatabase();
  if (handles.engine !== "sqlite") throw new Error("This test is about SQLite's own files.");
  return handles;
}

type Row = Record<string, unknown>;

/**
 * Raw SQL on this file's database, whichever the engine: `await all(sql\`select …\`)`. Values
 * go in as `${…}` parameters. Rows come back as the models see them (numbers, ISO strings).
 */
export async function all<T = Row>(query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

/** The first row, or undefined. */
export async function one<T = Row>(query: RawBuilder<T>): Promise<T | undefined> {
  return (await all(query))[0];
}

/** Runs a statement; the number of rows it changed. */
export async function exec(query: RawBuilder<unknown>): Promise<number> {
  return Number((await query.execute(db)).numAffectedRows ?? 0);
}

/**
 * Points this process's settings (DATABASE_PATH, or DATABASE_URL under test:pg) at a new,
 * empty database; returns its location, for `pointAt` to come back to it.
 */
export async function freshDatabase(label = "fresh"): Promise<string> {
  const server = testPostgresServer();
  const location = server
    ? await createTestDatabase(server, label)
    : path.join(fs.mkdtempSync(path.join(os.tmpdir(), `staffroom-${label}-`)), `${label}.db`);
  pointAt(location);
  return location;
}

/** Points DATABASE_URL or DATABASE_PATH (by the location's kind) at a database. */
export function pointAt(location: string) {
  if (/^postgres(ql)?:/.test(location)) process.env.DATABASE_URL = location;
  else process.env.DATABASE_PATH = location;
}

/** The environment a child process (server, CLI) needs to use this file's database. */
export function databaseEnv(): Record<string, string> {
  return process.env.DATABASE_URL
    ? { DATABASE_URL: process.env.DATABASE_URL }
    : { DATABASE_PATH: process.env.DATABASE_PATH! };
}
