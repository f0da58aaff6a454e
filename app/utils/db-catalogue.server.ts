/**
 * The schema catalogue and the few SQL spellings that differ by engine, for backups, copies,
 * erasure and statistics: which tables, text columns, foreign keys and generated columns there
 * are, JSON as rows, and row counts.
 */
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql, type RawBuilder, type Transaction } from "kysely";
import type { Database as Schema } from "#db/schema";
import { databaseEngine, db, handlesFor, type DatabaseHandles } from "./db.server";
import {
  FOREIGN_KEYS_SQL,
  GENERATED_COLUMNS_SQL,
  TABLES_SQL,
  TEXT_COLUMNS_SQL,
} from "./postgres-driver.server";

type Executor = Kysely<Schema> | Transaction<Schema>;

export type Catalogue = Pick<DatabaseHandles, "engine" | "db">;

/** Every table of the database, by name (the migrator's own included). */
export async function listTables(on: Catalogue = handlesFor()): Promise<string[]> {
  const query =
    on.engine === "postgres"
      ? sql<{ name: string }>`${sql.raw(TABLES_SQL)}`
      : sql<{ name: string }>`select name from sqlite_schema
          where type = 'table' and name not like 'sqlite_%' order by name`;
  return (await query.execute(on.db)).rows.map((r) => r.name);
}

/** The text columns of every table, in table and column order. */
export async function textColumns(executor: Executor = db) {
  const query =
    databaseEngine() === "postgres"
      ? sql<{ table: string; column: string }>`${sql.raw(TEXT_COLUMNS_SQL)}`
      : sql<{ table: string; column: string }>`
          select m.name as "table", c.name as "column"
          from sqlite_schema m join pragma_table_info(m.name) c
          where m.type = 'table' and m.name not like 'sqlite_%' and upper(c.type) = 'TEXT'
          order by m.name, c.cid`;
  return (await query.execute(executor)).rows;
}

/** Every foreign key: which column of which table references which table. */
export async function foreignKeys(on: Catalogue = handlesFor()) {
  const query =
    on.engine === "postgres"
      ? sql<ForeignKey>`${sql.raw(FOREIGN_KEYS_SQL)}`
      : sql<ForeignKey>`select m.name as "table", f."from" as "column", f."table" as "references"
          from sqlite_schema m join pragma_foreign_key_list(m.name) f
          where m.type = 'table' order by 1, 2`;
  return (await query.execute(on.db)).rows;
}

/** The generated columns of every table ("table.column"): computed, never written. */
export async function generatedColumns(on: Catalogue = handlesFor()): Promise<Set<string>> {
  const query =
    on.engine === "postgres"
      ? sql<{ name: string }>`${sql.raw(GENERATED_COLUMNS_SQL)}`
      : sql<{ name: string }>`select m.name || '.' || c.name as name
          from sqlite_schema m join pragma_table_xinfo(m.name) c
          where m.type = 'table' and c.hidden in (2, 3)`;
  return new Set((await query.execute(on.db)).rows.map((r) => r.name));
}

export interface ForeignKey {
  table: string;
  column: string;
  references: string;
}

/** The members of a JSON object as rows (`key`, `value`). */
export const jsonEntries = (json: RawBuilder<unknown>): RawBuilder<unknown> =>
  databaseEngine() === "postgres" ? sql`jsonb_each(${json}::jsonb)` : sql`json_each(${json})`;

/** The elements of a JSON array (a member `value` of `jsonEntries`) as rows of text (`value`). */
export const jsonElements = (json: RawBuilder<unknown>): RawBuilder<unknown> =>
  databaseEngine() === "postgres"
    ? sql`jsonb_array_elements_text(${json})`
    : sql`json_each(${json})`;

/** The length of a JSON array (a member `value` of `jsonEntries`). */
export const jsonLength = (json: RawBuilder<unknown>): RawBuilder<number> =>
  databaseEngine() === "postgres"
    ? sql<number>`jsonb_array_length(${json})`
    : sql<number>`json_array_length(${json})`;

/** A column that tells any row apart within its table and statement (SQLite rowid, PostgreSQL ctid). */
export const rowIdentity = (): RawBuilder<unknown> =>
  sql.raw(databaseEngine() === "postgres" ? "ctid" : "rowid");

/** A read-only look at an SQLite file (a backup, a restore) for `rowCounts` and `listTables`. */
export function readSqliteFile(file: string) {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { engine: "sqlite" as const, sqlite, db };
}

/** Rows in every table, for backups, copies and restores to be compared. */
export async function rowCounts(on: Catalogue = handlesFor()): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await listTables(on)) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(
      on.db,
    );
    counts[name] = Number(rows[0]!.n);
  }
  return counts;
}
