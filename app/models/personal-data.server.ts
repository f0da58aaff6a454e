// Everything the database holds about one person, for `staffroom users export` and `users erase`
// (and the same two actions on the admin person page). PERSON_COLUMNS is the one list of columns
// that name a person; test/security/s13-privacy.test.ts fails when the schema gains one it lacks.
import { sql, type Transaction } from "kysely";
import type { Database } from "#db/schema";
import { appendAudit, type Actor, type AuditEntry } from "~/models/audit.server";
import { rowIdentity, textColumns } from "~/utils/db-catalogue.server";
import { db, writeTransaction } from "~/utils/db.server";
import { containsText } from "./text-match.server";

/**
 * How a column names a person: by id, or by email address. `delete`: erasure deletes the rows
 * that name them (their own data). `keep`: the rows stay and go on pointing at the anonymous row
 * that replaces the person in `users` (another person's data, or an organisation record), with
 * every mention of the name and email in them replaced. `export: false`: the rows are other
 * people's data (someone's reports, assignments someone waived) and are not exported.
 */
interface PersonColumn {
  by: "id" | "email";
  erase: "delete" | "keep";
  export?: false;
}

interface PersonTable {
  columns: Record<string, PersonColumn>;
  /** Exported as a count of rows, not the rows (sessions). */
  countOnly?: boolean;
  /** Never exported: secrets (hashes) and other people's data inside the row. */
  omit?: string[];
  /** Columns holding JSON text, exported parsed. */
  json?: string[];
}

export const PERSON_COLUMNS = {
  users: {
    columns: {
      id: { by: "id", erase: "keep" },
      manager_id: { by: "id", erase: "keep", export: false },
    },
    omit: ["password_hash"],
  },
  sessions: { columns: { user_id: { by: "id", erase: "delete" } }, countOnly: true },
  one_time_tokens: { columns: { user_id: { by: "id", erase: "delete" } }, omit: ["token_hash"] },
  lesson_versions: {
    columns: { published_by: { by: "id", erase: "keep" } },
    omit: ["source"],
  },
  progress_events: { columns: { user_id: { by: "id", erase: "delete" } }, json: ["data"] },
  lesson_progress: { columns: { user_id: { by: "id", erase: "delete" } } },
  course_progress: { columns: { user_id: { by: "id", erase: "delete" } } },
  quiz_attempts: { columns: { user_id: { by: "id", erase: "delete" } }, json: ["answers"] },
  acknowledgements: { columns: { user_id: { by: "id", erase: "delete" } } },
  certificates: {
    columns: { user_id: { by: "id", erase: "delete" } },
    json: ["lesson_versions"],
  },
  assignment_rule_people: { columns: { user_id: { by: "id", erase: "delete" } } },
  // Before assignments: their items point at the person's assignments. A nudge someone sent
  // stays with its recipient; messages to an erased manager go, the steps they covered stay.
  reminder_messages: {
    columns: {
      recipient_id: { by: "id", erase: "delete" },
      nudged_by: { by: "id", erase: "keep", export: false },
    },
    json: ["letter"],
  },
  reminder_items: { columns: { person_id: { by: "id", erase: "delete" } } },
  mail_preferences: { columns: { user_id: { by: "id", erase: "delete" } } },
  assignments: {
    columns: {
      user_id: { by: "id", erase: "delete" },
      waived_by: { by: "id", erase: "keep", export: false },
    },
  },
  audit_log: {
    columns: {
      actor_id: { by: "id", erase: "keep" },
      subject_id: { by: "id", erase: "keep" },
    },
    json: ["before", "after"],
  },
  outbox: { columns: { recipient: { by: "email", erase: "delete" } } },
  roster_uploads: {
    columns: { uploaded_by: { by: "id", erase: "delete" } },
    omit: ["content"],
  },
  // Authoring drafts: course content; who last saved or created them is kept like a publisher.
  course_drafts: { columns: { created_by: { by: "id", erase: "keep" } } },
  lesson_drafts: { columns: { updated_by: { by: "id", erase: "keep" } }, omit: ["source"] },
  // The erase path's own flag: it names the person only inside the erasing transaction.
  erasure_in_progress: { columns: { user_id: { by: "id", erase: "delete", export: false } } },
} satisfies Record<string, PersonTable>;

/**
 * Tables that hold course content or no personal data at all. Erasure replaces the person's
 * name and email in the free text of every other table.
 */
export const NOT_PERSONAL = new Set([
  "kysely_migration",
  "kysely_migration_lock",
  "compiled_mdx",
  "courses",
  "lessons",
  "lesson_versions",
  "departments",
  "assignment_rules",
  "compile_failures",
  // Bookkeeping: job names and host:pid, a health timestamp, settings such as the time zone.
  "job_runs",
  "health_probe",
  "settings",
  // Keys are hashes of emails and addresses.
  "login_throttle",
  "erasure_in_progress",
]);

type Row = Record<string, unknown>;

const tables = () => Object.entries(PERSON_COLUMNS) as [string, PersonTable][];

function exportable(table: PersonTable, row: Row): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (table.omit?.includes(column)) continue;
    out[column] =
      table.json?.includes(column) && typeof value === "string" ? JSON.parse(value) : value;
  }
  return out;
}

/** Every row that names the person, table by table (counts where the rows are secrets). */
export async function personalRows(userId: number, email: string) {
  const out: Record<string, Row[] | { count: number }> = {};
  for (const [table, spec] of tables()) {
    const columns = Object.entries(spec.columns).filter(([, c]) => c.export !== false);
    if (columns.length === 0) continue;
    const matches = columns.map(
      ([column, c]) => sql`${sql.ref(column)} = ${c.by === "id" ? userId : email}`,
    );
    const where = sql.join(matches, sql` or `);
    const { rows } = await sql<Row>`select * from ${sql.table(table)} where ${where}
      order by ${rowIdentity()}`.execute(db);
    out[table] = spec.countOnly ? { count: rows.length } : rows.map((r) => exportable(spec, r));
  }
  return out;
}

/** Text columns of the tables that may mention a person, read from the schema itself. */
async function freeTextColumns(trx: Transaction<Database>) {
  return (await textColumns(trx)).filter((r) => !NOT_PERSONAL.has(r.table));
}

export interface Mention {
  /** The text the rows are narrowed to (in any case: see text-match.server.ts). */
  text: string;
  /** Replaces the mention in one value. */
  replace: (text: string) => string;
}

export interface Erasure {
  userId: number;
  /** The anonymous values that replace the person's in `users`. */
  anonymous: { email: string; name: string };
  /** The mentions to replace in free text (name and email, as written and as JSON). */
  mentions: Mention[];
  /** What the audit log keeps of the erasure itself (appended after the replacing). */
  audit: AuditEntry;
}

/**
 * Erases one person in one transaction: deletes their own rows, replaces their row in `users`
 * with an anonymous one (other rows keep pointing at it, so organisation records stay whole), and
 * replaces every mention of their name and email in free text. The append-only triggers let this
 * transaction through while it holds the erasure_in_progress row. Returns rows touched per table.
 */
export async function eraseInOneTransaction(erasure: Erasure, actor: Actor) {
  const { userId } = erasure;
  return writeTransaction(async (trx) => {
    const touched: Record<string, number> = {};
    const count = (table: string, n: bigint | number | undefined) => {
      if (Number(n ?? 0) > 0) touched[table] = (touched[table] ?? 0) + Number(n);
    };
    await trx.insertInto("erasure_in_progress").values({ user_id: userId }).execute();
    const user = await trx
      .selectFrom("users")
      .select("email")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    for (const [table, spec] of tables()) {
      if (table === "erasure_in_progress") continue;
      for (const [column, c] of Object.entries(spec.columns)) {
        if (c.erase !== "delete") continue;
        const result = await sql`delete from ${sql.table(table)}
          where ${sql.ref(column)} = ${c.by === "id" ? userId : user.email}`.execute(trx);
        count(table, result.numAffectedRows);
      }
    }
    await trx
      .updateTable("users")
      .set({
        ...erasure.anonymous,
        department_id: null,
        title: "",
        manager_id: null,
        is_admin: 0,
        is_leader: 0,
        hired_on: null,
        status: "deactivated",
        password_hash: null,
      })
      .where("id", "=", userId)
      .execute();
    count("users", 1);
    for (const { table, column } of await freeTextColumns(trx)) {
      for (const mention of erasure.mentions) {
        const { rows } = await sql<{ id: unknown; text: string }>`
          select ${rowIdentity()} as id, ${sql.ref(column)} as text from ${sql.table(table)}
          where ${containsText(column, mention.text)}`.execute(trx);
        for (const row of rows) {
          const text = mention.replace(row.text);
          if (text === row.text) continue;
          await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${text}
            where ${rowIdentity()} = ${row.id}`.execute(trx);
          count(table, 1);
        }
      }
    }
    await trx.deleteFrom("erasure_in_progress").execute();
    await appendAudit(actor, [erasure.audit], trx);
    return touched;
  });
}
