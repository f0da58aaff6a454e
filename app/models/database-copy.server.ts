/**
 * Copying a whole SQLite database into this process's PostgreSQL database (`staffroom db copy`):
 * every table but the migrator's, parents before children, in batches. Call `copyTables` inside
 * the target's write transaction; it writes through the plain `db`, which joins it.
 */
import { sql, type Kysely } from "kysely";
import { foreignKeys, generatedColumns, listTables, rowCounts } from "~/utils/db-catalogue.server";
import { db, type DatabaseHandles } from "~/utils/db.server";

type Source = Pick<DatabaseHandles, "engine" | "db">;
type Row = Record<string, unknown>;

const MIGRATOR = /^kysely_migration/;
/** What a fresh migration writes: the default assignment rule and the due time zone. */
const SEEDED: Record<string, number> = { assignment_rules: 1, settings: 1 };
const BATCH = 1000;

export class CopyRefused extends Error {}

const dataTables = async (on: Source) =>
  (await listTables(on)).filter((name) => !MIGRATOR.test(name));

/** Tables, parents before children (foreign keys of the target); ties in name order. */
async function dependencyOrder(tables: string[]) {
  const keys = (await foreignKeys()).filter((k) => k.table !== k.references);
  const order: string[] = [];
  const left = new Set(tables);
  while (left.size > 0) {
    const ready = [...left]
      .filter((t) => !keys.some((k) => k.table === t && left.has(k.references)))
      .sort();
    if (ready.length === 0) throw new Error(`Foreign keys form a cycle among ${[...left]}.`);
    for (const t of ready) {
      order.push(t);
      left.delete(t);
    }
  }
  return order;
}

/**
 * Refuses a target that holds anything but what its migrations wrote, or whose tables differ
 * from the source's (the two are at different migrations). Returns the tables in copy order.
 */
export async function planCopy(source: Source): Promise<string[]> {
  const [from, to] = [await dataTables(source), await dataTables({ engine: "postgres", db })];
  const missing = from.filter((t) => !to.includes(t));
  const extra = to.filter((t) => !from.includes(t));
  if (missing.length + extra.length > 0) {
    throw new CopyRefused(
      `The databases have different tables (only in the source: ${missing.join(", ") || "none"}; ` +
        `only in the target: ${extra.join(", ") || "none"}): run both at the same Staffroom version.`,
    );
  }
  const counts = await rowCounts({ engine: "postgres", db });
  const filled = to.filter((t) => (counts[t] ?? 0) > (SEEDED[t] ?? 0));
  if (filled.length > 0) {
    throw new CopyRefused(
      `The target database is not empty (${filled.map((t) => `${t}: ${counts[t]} row${counts[t] === 1 ? "" : "s"}`).join(", ")}): ` +
        "copy only into a new, empty database.",
    );
  }
  return dependencyOrder(to);
}

/** Rows that reference their own table (a manager in `users`) after the rows they reference. */
function referencedFirst(rows: Row[], column: string): Row[] {
  const placed = new Set<unknown>();
  const out: Row[] = [];
  let pending = rows;
  while (pending.length > 0) {
    const ready = pending.filter((r) => r[column] === null || placed.has(r[column]));
    if (ready.length === 0) throw new Error(`The ${column} references form a cycle.`);
    for (const r of ready) placed.add(r.id);
    out.push(...ready);
    pending = pending.filter((r) => !ready.includes(r));
  }
  return out;
}

/** Reads one SQLite table in rowid order, `BATCH` rows at a time. */
async function* sourceRows(source: Source, table: string): AsyncGenerator<Row[]> {
  for (let after = 0; ;) {
    const { rows } = await sql<Row>`select rowid as copy_rowid, * from ${sql.table(table)}
      where rowid > ${after} order by rowid limit ${BATCH}`.execute(source.db);
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.copy_rowid);
    yield rows;
  }
}

/**
 * Copies every row of `tables` (in that order) from the SQLite `source` into this process's
 * PostgreSQL database, generated columns left to the target, ids kept; then moves the identity
 * sequences past the copied ids. The target's own triggers are paused meanwhile (until the
 * commit): the rows they would derive (the copies in `assignments`) are copied as they are, and
 * nothing is updated or deleted. Returns the rows copied per table.
 */
export async function copyTables(source: Source, tables: string[]) {
  if (source.engine !== "sqlite") throw new CopyRefused("The source must be an SQLite database.");
  const generated = await generatedColumns(source);
  const selfReferences = (await foreignKeys()).filter((k) => k.table === k.references);
  const target = db as unknown as Kysely<Record<string, Row>>;
  for (const table of Object.keys(SEEDED)) await target.deleteFrom(table).execute();
  for (const table of tables)
    await sql`alter table ${sql.table(table)} disable trigger user`.execute(db);
  const copied: Record<string, number> = {};
  for (const table of tables) {
    const self = selfReferences.find((k) => k.table === table);
    const write = async (rows: Row[]) => {
      const values = rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).filter(
            ([column]) => column !== "copy_rowid" && !generated.has(`${table}.${column}`),
          ),
        ),
      );
      if (values.length > 0) await target.insertInto(table).values(values).execute();
      copied[table] = (copied[table] ?? 0) + values.length;
    };
    try {
      if (self) {
        const all: Row[] = [];
        for await (const rows of sourceRows(source, table)) all.push(...rows);
        const ordered = referencedFirst(all, self.column);
        for (let i = 0; i < ordered.length; i += BATCH) await write(ordered.slice(i, i + BATCH));
      } else {
        for await (const rows of sourceRows(source, table)) await write(rows);
      }
    } catch (error) {
      throw new Error(`Copying ${table} failed: ${(error as Error).message}`, { cause: error });
    }
    copied[table] ??= 0;
  }
  for (const table of tables)
    await sql`alter table ${sql.table(table)} enable trigger user`.execute(db);
  const { rows: identities } = await sql<{ table: string; column: string }>`
    select table_name as "table", column_name as "column" from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES'`.execute(db);
  for (const { table, column } of identities) {
    await sql`select setval(pg_get_serial_sequence(${table}, ${column}),
      coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
      db,
    );
  }
  return copied;
}

/**
 * After the copy's commit: statistics for the planner, which has none for tables filled in one
 * transaction, and the visibility map that lets reports read covering indexes alone.
 */
export async function vacuumAnalyze() {
  await sql`vacuum (analyze)`.execute(db);
}
