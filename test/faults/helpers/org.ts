import Database from "better-sqlite3";
import { commandLineActor } from "~/models/audit.server";
import { syncCourses } from "~/services/courses.server";
import { applyRoster } from "~/services/roster-import.server";
import { csvOf, manyRows } from "../../fixtures/roster/roster-csv";

export const ORG_DOMAIN = "org.example";

/** The same person with a long name and department: a wider row in every export. */
function widen(line: string): string {
  const [email, name, department, ...rest] = line.split(",");
  return [
    email,
    `${name} ${"Featherstonehaugh-Cholmondeley ".repeat(5).trim()}`,
    `${department} ${"Operations and Logistics ".repeat(3).trim()}`,
    ...rest,
  ].join(",");
}

/**
 * A larger organisation in this process's database, the way an admin builds one: the courses
 * synced, then a roster of `people` imported (assignments recomputed by the import). `wide`
 * gives everyone long names and departments, for exports larger than the socket buffers.
 */
export async function buildOrg(
  coursesDir: string,
  people: number,
  options: { wide?: boolean } = {},
) {
  const synced = await syncCourses(coursesDir);
  if (synced.errors.length > 0)
    throw new Error(`The fault courses do not sync: ${synced.errors[0]!.message}`);
  const rows = manyRows(people, ORG_DOMAIN);
  const roster = csvOf(options.wide ? rows.map(widen) : rows);
  await applyRoster(Buffer.from(roster), "org.csv", commandLineActor("faults"));
}

/**
 * Years of history: appends `started` events with a note to the ledger (append-only, so this is
 * how it grows) until the file holds about `megabytes`. Run before a server opens the file.
 */
export function growLedger(file: string, megabytes: number): number {
  const db = new Database(file);
  try {
    const users = db.prepare("select id from users").pluck().all() as number[];
    const lessons = db.prepare("select id, course_id, current_version_id from lessons").all() as {
      id: number;
      course_id: number;
      current_version_id: number;
    }[];
    const insert = db.prepare(
      `insert into progress_events (user_id, course_id, lesson_id, version_id, type, data, created_at)
       values (?, ?, ?, ?, 'started', ?, ?)`,
    );
    const bytes = () =>
      Number(db.pragma("page_count", { simple: true })) *
      Number(db.pragma("page_size", { simple: true }));
    const note = JSON.stringify({ note: "history ".repeat(40) });
    let rows = 0;
    const batch = db.transaction(() => {
      for (let i = 0; i < 20_000; i++, rows++) {
        const lesson = lessons[rows % lessons.length]!;
        const at = new Date(Date.UTC(2020, 0, 1) + rows * 60_000).toISOString();
        insert.run(
          users[rows % users.length],
          lesson.course_id,
          lesson.id,
          lesson.current_version_id,
          note,
          at,
        );
      }
    });
    while (bytes() < megabytes * 1024 * 1024) batch();
    db.pragma("wal_checkpoint(TRUNCATE)");
    return rows;
  } finally {
    db.close();
  }
}
