/**
 * The reference organisation the budgets are measured on (DESIGN: P2, P3, P5): 10,000 people in
 * about 400 teams, 6 courses of 10 lessons, and a realistic spread of progress over the last 90
 * days. Deterministic (a seeded generator; dates relative to the day it is built).
 *
 * `referenceRoster()` is the roster alone (the rows of a roster CSV, managers before their
 * reports); `openReferenceOrg()` builds (or reuses) a whole database at bench/.data/ and points
 * this process at it (under `--engine postgres`, at a copy of it in a new PostgreSQL database,
 * made by `staffroom db copy`'s service): call it before anything touches the database.
 */
import fs from "node:fs";
import { stringify } from "csv-stringify/sync";
import { sql } from "kysely";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import path from "node:path";
import { migrateToLatest } from "#db/migrate";
import { createRule, recomputeAssignments, waive } from "~/services/assignments.server";
import { copyDatabaseTo } from "~/services/database-copy.server";
import { advanceClock, now } from "~/utils/clock.server";
import { db, openDatabase, switchDatabase, type SqliteHandles } from "~/utils/db.server";
import { benchPostgres, newBenchDatabase } from "./database";
import { mulberry32 } from "~/utils/random";

export const REFERENCE = { people: 10_000, teams: 400, courses: 6, lessonsPerCourse: 10 };
/** Bump when the generated data changes shape, so that a stale cached file is rebuilt. */
const GENERATOR_VERSION = 4;
const DATA_DIR = path.resolve("bench/.data");
const DAY_MS = 24 * 60 * 60 * 1000;
const HISTORY_DAYS = 90;

export interface RosterRow {
  email: string;
  name: string;
  department: string;
  title: string;
  manager_email: string;
  roles: string;
  hired_on: string;
}

const FIRST = ["Ada", "Ben", "Cai", "Dee", "Eva", "Fin", "Gil", "Hal", "Isa", "Jon", "Kim", "Lea"];
const LAST = [
  "Ames",
  "Bose",
  "Cruz",
  "Diaz",
  "Egan",
  "Ford",
  "Gray",
  "Hale",
  "Ines",
  "Jain",
  "Kahn",
];
const DEPARTMENTS = [
  "Sales",
  "Service",
  "Warehouse",
  "Dispatch",
  "Production",
  "Quality",
  "Buying",
  "Marketing",
  "Finance",
  "People",
  "IT",
  "Design",
  "Returns",
  "Wholesale",
  "Retail North",
  "Retail South",
  "Retail East",
  "Retail West",
  "Online",
  "Facilities",
];

/**
 * 10,000 people: a managing director, one head per department, 400 team managers under the
 * heads, and everyone else spread over the teams. Hire dates over five years, 5% in the last 60
 * days. Managers come before their reports.
 */
export function referenceRoster(asOf = now()): RosterRow[] {
  const random = mulberry32(20260);
  const day = (daysAgo: number) =>
    new Date(asOf.getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
  const hired = () =>
    day(random() < 0.05 ? Math.floor(random() * 60) : 60 + Math.floor(random() * 1800));
  let n = 0;
  const person = (department: string, title: string, manager: string, roles = ""): RosterRow => {
    n++;
    const name = `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]} ${n}`;
    return {
      email: `person${n}@reference.example`,
      name,
      department,
      title,
      manager_email: manager,
      roles,
      hired_on: hired(),
    };
  };
  const rows: RosterRow[] = [person("Board", "Managing Director", "", "leader")];
  const director = rows[0]!.email;
  const heads = DEPARTMENTS.map((d) =>
    person(d, `Head of ${d}`, director, d === "IT" ? "admin" : ""),
  );
  rows.push(...heads);
  const teamsPerHead = REFERENCE.teams / heads.length;
  const managers = heads.flatMap((head) =>
    Array.from({ length: teamsPerHead }, () => person(head.department, "Team Manager", head.email)),
  );
  rows.push(...managers);
  const remaining = REFERENCE.people - rows.length;
  for (let i = 0; i < remaining; i++) {
    const manager = managers[i % managers.length]!;
    rows.push(person(manager.department, "Team Member", manager.email));
  }
  return rows;
}

/** The roster as a CSV file, reports listed before their managers (the harder order). */
export function referenceRosterCsv(): { rows: RosterRow[]; csv: Buffer } {
  const rows = referenceRoster().reverse();
  return {
    rows,
    csv: Buffer.from(stringify(rows, { header: true, record_delimiter: "\r\n" }), "utf8"),
  };
}

/**
 * Builds the reference database at `file` through the app's own migrations and assignment code;
 * people, courses and progress are bulk-inserted (the summary rows and the ledger, as the app
 * would have written them).
 */
async function build(file: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
  const handles = openDatabase(file) as SqliteHandles;
  const { sqlite } = handles;
  await migrateToLatest(handles);
  const random = mulberry32(4242);
  const asOf = now();
  const at = (daysAgo: number) => new Date(asOf.getTime() - daysAgo * DAY_MS).toISOString();
  const stamp = asOf.toISOString();

  sqlite.transaction(() => {
    const roster = referenceRoster(asOf);
    const departments = new Map<string, number>();
    const insertDepartment = sqlite.prepare("insert into departments (name) values (?)");
    for (const row of roster) {
      if (!departments.has(row.department)) {
        departments.set(
          row.department,
          Number(insertDepartment.run(row.department).lastInsertRowid),
        );
      }
    }
    const ids = new Map<string, number>();
    const insertUser = sqlite.prepare(
      `insert into users (email, name, department_id, title, manager_id, is_admin, is_leader,
        hired_on, status, password_hash, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'active', null, ?, ?)`,
    );
    for (const row of roster) {
      const id = insertUser.run(
        row.email,
        row.name,
        departments.get(row.department)!,
        row.title,
        row.manager_email ? ids.get(row.manager_email)! : null,
        row.roles.includes("admin") ? 1 : 0,
        row.roles.includes("leader") ? 1 : 0,
        row.hired_on,
        stamp,
        stamp,
      ).lastInsertRowid;
      ids.set(row.email, Number(id));
    }

    sqlite
      .prepare(
        `insert into compiled_mdx (content_hash, html_segments, islands, answer_key, assessed_hash, created_at)
         values ('bench', '["<p>Reference lesson.</p>"]', '[]', '{}', 'bench', ?)`,
      )
      .run(stamp);
    const insertCourse = sqlite.prepare(
      `insert into courses (slug, title, summary, sort_order, intro_hash, status, updated_at)
       values (?, ?, 'A reference course.', ?, 'bench', 'published', ?)`,
    );
    const insertLesson = sqlite.prepare(
      `insert into lessons (course_id, slug, title, minutes, position, status) values (?, ?, ?, 5, ?, 'published')`,
    );
    const insertVersion = sqlite.prepare(
      `insert into lesson_versions (lesson_id, content_hash, source, has_quiz, published_at)
       values (?, 'bench', '', 0, ?)`,
    );
    const setVersion = sqlite.prepare(
      "update lessons set current_version_id = ?, valid_from_version_id = ? where id = ?",
    );
    const courses: { id: number; lessons: { id: number; version: number }[] }[] = [];
    for (let c = 1; c <= REFERENCE.courses; c++) {
      const courseId = Number(
        insertCourse.run(`course-${c}`, `Reference course ${c}`, c, stamp).lastInsertRowid,
      );
      const lessons = [];
      for (let l = 1; l <= REFERENCE.lessonsPerCourse; l++) {
        const lessonId = Number(
          insertLesson.run(courseId, `lesson-${l}`, `Lesson ${l}`, l).lastInsertRowid,
        );
        const version = Number(insertVersion.run(lessonId, stamp).lastInsertRowid);
        setVersion.run(version, version, lessonId);
        lessons.push({ id: lessonId, version });
      }
      courses.push({ id: courseId, lessons });
    }

    const insertEvent = sqlite.prepare(
      `insert into progress_events (user_id, course_id, lesson_id, version_id, type, data, created_at)
       values (?, ?, ?, ?, ?, '{}', ?)`,
    );
    const insertLessonProgress = sqlite.prepare(
      `insert into lesson_progress (user_id, lesson_id, course_id, version_id, started_at, completed_at, stale_since)
       values (?, ?, ?, ?, ?, ?, null)`,
    );
    const insertCourseProgress = sqlite.prepare(
      `insert into course_progress (user_id, course_id, lessons_completed, started_at, completed_at, last_activity_at, stale_since)
       values (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const userId of ids.values()) {
      const diligence = random();
      for (const course of courses) {
        const roll = random();
        const total = course.lessons.length;
        const done =
          roll < 0.15 + 0.55 * diligence ? total : roll < 0.75 ? Math.floor(random() * total) : -1;
        if (done < 0) continue; // never opened
        let when = HISTORY_DAYS * random();
        const startedAt = at(when);
        let last = startedAt;
        const opened = Math.min(total, done + 1);
        for (let i = 0; i < opened; i++) {
          const lesson = course.lessons[i]!;
          const openedAt = at(when);
          insertEvent.run(userId, course.id, lesson.id, lesson.version, "started", openedAt);
          let completedAt: string | null = null;
          if (i < done) {
            when = Math.max(0, when - random() * 2);
            completedAt = at(when);
            insertEvent.run(
              userId,
              course.id,
              lesson.id,
              lesson.version,
              "lesson_completed",
              completedAt,
            );
          }
          insertLessonProgress.run(
            userId,
            lesson.id,
            course.id,
            lesson.version,
            openedAt,
            completedAt,
          );
          last = completedAt ?? openedAt;
        }
        const completed = done === total;
        // 1% of completions were re-opened since because a lesson's assessed content changed.
        const stale = completed && random() < 0.01;
        if (completed && !stale)
          insertEvent.run(userId, course.id, null, null, "course_completed", last);
        insertCourseProgress.run(
          userId,
          course.id,
          stale ? total - 1 : done,
          startedAt,
          completed && !stale ? last : null,
          last,
          stale ? last : null,
        );
      }
    }
  })();
  sqlite.close();
}

/** The reference organisation's leader (person 1), as a signed-in viewer. */
export const REFERENCE_LEADER = {
  id: 1,
  email: "person1@reference.example",
  name: "Leader",
  isAdmin: false,
  isLeader: true,
  isManager: true,
};

/** Where the reference database is kept (built by `openReferenceOrg()`). */
export const referenceOrgFile = () => path.join(DATA_DIR, `reference-org-v${GENERATOR_VERSION}.db`);

/**
 * Points this process at the reference database (building it on first use, about half a minute)
 * and brings its assignments up to date. The rules date from 90 days ago: the default (every
 * course, 30 days), a 14-day rule for one department, and an annual refresher of one course.
 */
export async function openReferenceOrg(): Promise<{ file: string; built: boolean }> {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const file = referenceOrgFile();
  let built = false;
  if (!fs.existsSync(file) || readVersion(file) !== GENERATOR_VERSION) {
    await build(file);
    built = true;
  }
  await switchDatabase(file);
  await migrateToLatest();
  if (built) {
    await assignFromRules();
    // Marks the file complete: an interrupted build is rebuilt next time.
    await sql`pragma user_version = ${sql.raw(String(GENERATOR_VERSION))}`.execute(db);
  }
  if (benchPostgres()) await copyDatabaseTo(await newBenchDatabase("reference"));
  return { file, built };
}

function readVersion(file: string): number {
  const { sqlite } = openDatabase(file) as SqliteHandles;
  try {
    return Number(sqlite.pragma("user_version", { simple: true }));
  } finally {
    sqlite.close();
  }
}

async function assignFromRules() {
  advanceClock(-HISTORY_DAYS * DAY_MS);
  try {
    const sales = await db
      .selectFrom("departments")
      .select("id")
      .where("name", "=", "Sales")
      .executeTakeFirstOrThrow();
    const [first, second] = await db
      .selectFrom("courses")
      .select("id")
      .orderBy("sort_order")
      .execute();
    await createRule(SYSTEM_ACTOR, {
      courseId: first!.id,
      audience: "department",
      departmentId: sales.id,
      role: null,
      personIds: [],
      dueDays: 14,
      recurMonths: null,
    });
    await createRule(SYSTEM_ACTOR, {
      courseId: second!.id,
      audience: "everyone",
      departmentId: null,
      role: null,
      personIds: [],
      dueDays: 30,
      recurMonths: 12,
    });
  } finally {
    advanceClock(HISTORY_DAYS * DAY_MS);
  }
  // A handful of waivers, as an administrator would record them.
  const some = await db
    .selectFrom("assignments")
    .select(["id", "user_id"])
    .where(sql`id % 200`, "=", 0)
    .where("is_current", "=", 1)
    .execute();
  for (const row of some)
    await waive({ id: 1, label: "bench" }, row.user_id, row.id, "Covered by an earlier employer");
  await recomputeAssignments();
}
