// The two migration sets cannot drift: the PostgreSQL schema and the SQLite schema (both migrated
// to the latest) have the same tables, columns in the same order, nullability, defaults, types
// that carry the same values, keys, unique constraints, indexes, generated columns and trigger
// events. What the triggers do is checked by the rest of the suite, which runs on both engines.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrateToLatest } from "#db/migrate";
import { foreignKeys } from "~/utils/db-catalogue.server";
import { openDatabase, type DatabaseHandles } from "~/utils/db.server";
import { migratedDatabase, onPostgres } from "./helpers/db";

interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  generated: boolean;
}

interface Schema {
  columns: Record<string, Column[]>;
  primaryKeys: Record<string, string[]>;
  /** "table(a, b)" for each unique constraint or unique index other than the primary key. */
  unique: string[];
  /** name → "table(a, b)" for each other index. */
  indexes: Record<string, string>;
  foreignKeys: string[];
  /** "table: BEFORE UPDATE" for each event a trigger fires on. */
  triggerEvents: string[];
}

const MIGRATOR_TABLES = /^kysely_migration/;
/** An index column that is an expression (neither catalogue gives comparable text for it). */
const EXPRESSION = "(expression)";

/** A default as written, without PostgreSQL's casts: `'active'::text` → `'active'`. */
const plainDefault = (value: string | null) => value?.replace(/::[a-z ]+$/, "") ?? null;

async function sqliteSchema(handles: DatabaseHandles): Promise<Schema> {
  const db = handles.db as Kysely<unknown>;
  const tables = (
    await sql<{ name: string }>`select name from sqlite_schema
      where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((t) => !MIGRATOR_TABLES.test(t));
  const schema: Schema = {
    columns: {},
    primaryKeys: {},
    unique: [],
    indexes: {},
    foreignKeys: [],
    triggerEvents: [],
  };
  for (const table of tables) {
    const columns = (
      await sql<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
        hidden: number;
      }>`select * from pragma_table_xinfo(${table})`.execute(db)
    ).rows;
    schema.columns[table] = columns.map((c) => ({
      name: c.name,
      type: c.type.toUpperCase(),
      // A primary key is never null (SQLite only fails to say so: a historical quirk).
      notNull: c.notnull === 1 || c.pk > 0,
      default: plainDefault(c.dflt_value),
      generated: c.hidden === 2 || c.hidden === 3,
    }));
    schema.primaryKeys[table] = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexes = (
      await sql<{
        name: string;
        unique: number;
        origin: string;
      }>`select * from pragma_index_list(${table})`.execute(db)
    ).rows;
    for (const index of indexes) {
      if (index.origin === "pk") continue;
      const names = (
        await sql<{ name: string | null }>`select name from pragma_index_xinfo(${index.name})
          where key = 1 order by seqno`.execute(db)
      ).rows.map((r) => r.name ?? EXPRESSION);
      const described = `${table}(${names.join(", ")})`;
      if (index.unique === 1) schema.unique.push(described);
      else schema.indexes[index.name] = described;
    }
    const triggers = (
      await sql<{ sql: string }>`select sql from sqlite_schema
        where type = 'trigger' and tbl_name = ${table}`.execute(db)
    ).rows;
    for (const { sql: text } of triggers) {
      const [, timing, event] = /\b(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\b/i.exec(text)!;
      schema.triggerEvents.push(`${table}: ${timing!.toUpperCase()} ${event!.toUpperCase()}`);
    }
  }
  schema.foreignKeys = (await foreignKeys(handles)).map(
    (k) => `${k.table}.${k.column} → ${k.references}`,
  );
  return normalised(schema);
}

async function postgresSchema(handles: DatabaseHandles): Promise<Schema> {
  const db = handles.db as Kysely<unknown>;
  const columns = (
    await sql<{
      table: string;
      name: string;
      type: string;
      nullable: string;
      default: string | null;
      generated: string;
    }>`select table_name as "table", column_name as name, data_type as type,
        is_nullable as nullable, column_default as default, is_generated as generated
      from information_schema.columns where table_schema = current_schema()
      order by table_name, ordinal_position`.execute(db)
  ).rows.filter((c) => !MIGRATOR_TABLES.test(c.table));
  const schema: Schema = {
    columns: {},
    primaryKeys: {},
    unique: [],
    indexes: {},
    foreignKeys: [],
    triggerEvents: [],
  };
  for (const c of columns) {
    (schema.columns[c.table] ??= []).push({
      name: c.name,
      type: c.type,
      notNull: c.nullable === "NO",
      default: plainDefault(c.default),
      generated: c.generated === "ALWAYS",
    });
  }
  const indexes = (
    await sql<{
      table: string;
      name: string;
      unique: boolean;
      primary: boolean;
      columns: string[];
    }>`select t.relname as "table", i.relname as name, x.indisunique as unique,
        x.indisprimary as primary,
        array_agg(coalesce(a.attname::text, ${EXPRESSION}) order by k.ord) as columns
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      cross join lateral unnest(x.indkey) with ordinality as k(attnum, ord)
      left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum and k.attnum > 0
      where n.nspname = current_schema()
      group by t.relname, i.relname, x.indisunique, x.indisprimary`.execute(db)
  ).rows.filter((i) => !MIGRATOR_TABLES.test(i.table));
  for (const index of indexes) {
    const described = `${index.table}(${index.columns.join(", ")})`;
    if (index.primary) schema.primaryKeys[index.table] = index.columns;
    else if (index.unique) schema.unique.push(described);
    else schema.indexes[index.name] = described;
  }
  for (const table of Object.keys(schema.columns)) schema.primaryKeys[table] ??= [];
  schema.foreignKeys = (await foreignKeys(handles)).map(
    (k) => `${k.table}.${k.column} → ${k.references}`,
  );
  schema.triggerEvents = (
    await sql<{ table: string; timing: string; event: string }>`select distinct
        event_object_table as "table", action_timing as timing, event_manipulation as event
      from information_schema.triggers where trigger_schema = current_schema()`.execute(db)
  ).rows.map((t) => `${t.table}: ${t.timing} ${t.event}`);
  return normalised(schema);
}

function normalised(schema: Schema): Schema {
  return {
    ...schema,
    unique: [...schema.unique].sort(),
    foreignKeys: [...new Set(schema.foreignKeys)].sort(),
    triggerEvents: [...new Set(schema.triggerEvents)].sort(),
  };
}

/** PostgreSQL types that hold what each SQLite type holds, as the pool hands it to the models. */
const SAME_VALUES: Record<string, string[]> = {
  INTEGER: ["integer", "bigint"],
  TEXT: ["text", "timestamp with time zone", "date"],
  REAL: ["double precision"],
};

let sqlite: Schema;
let postgres: Schema;
let sqliteHandles: DatabaseHandles | undefined;

describe("the PostgreSQL and SQLite schemas", () => {
  beforeAll(async () => {
    if (!onPostgres) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-parity-"));
    sqliteHandles = openDatabase(path.join(dir, "parity.db"));
    await migrateToLatest(sqliteHandles);
    sqlite = await sqliteSchema(sqliteHandles);
    postgres = await postgresSchema(await migratedDatabase());
  });
  afterAll(async () => {
    await sqliteHandles?.db.destroy();
  });

  const onlyOnPostgres = "compares with PostgreSQL: runs under npm run test:pg";

  test("have the same tables, and columns in the same order", (ctx) => {
    ctx.skip(!onPostgres, onlyOnPostgres);
    expect(Object.keys(postgres.columns).sort()).toEqual(Object.keys(sqlite.columns).sort());
    for (const [table, columns] of Object.entries(sqlite.columns)) {
      expect(
        postgres.columns[table]!.map((c) => c.name),
        table,
      ).toEqual(columns.map((c) => c.name));
    }
  });

  test("agree on nullability, defaults and generated columns; types hold the same values", (ctx) => {
    ctx.skip(!onPostgres, onlyOnPostgres);
    for (const [table, columns] of Object.entries(sqlite.columns)) {
      columns.forEach((column, i) => {
        const twin = postgres.columns[table]![i]!;
        const where = `${table}.${column.name}`;
        expect({ notNull: twin.notNull, generated: twin.generated }, where).toEqual({
          notNull: column.notNull,
          generated: column.generated,
        });
        expect(twin.default, where).toBe(column.default);
        expect(SAME_VALUES[column.type], where).toContain(twin.type);
      });
    }
  });

  test("have the same primary keys, unique constraints, indexes and foreign keys", (ctx) => {
    ctx.skip(!onPostgres, onlyOnPostgres);
    expect(postgres.primaryKeys).toEqual(sqlite.primaryKeys);
    expect(postgres.unique).toEqual(sqlite.unique);
    expect(postgres.indexes).toEqual(sqlite.indexes);
    expect(postgres.foreignKeys).toEqual(sqlite.foreignKeys);
  });

  test("have triggers on the same tables and events", (ctx) => {
    ctx.skip(!onPostgres, onlyOnPostgres);
    expect(postgres.triggerEvents).toEqual(sqlite.triggerEvents);
  });
});
