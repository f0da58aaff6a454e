import Database from "better-sqlite3";

/**
 * A second connection to a database a server is using, as an operator's tool would open it:
 * runs `look` and closes again.
 */
export function inspect<T>(file: string, look: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return look(db);
  } finally {
    db.close();
  }
}

export const integrityOf = (db: Database.Database) =>
  db.pragma("integrity_check", { simple: true }) as string;

export const countOf = (db: Database.Database, sql: string, ...params: unknown[]) =>
  Number(
    db
      .prepare(sql)
      .pluck()
      .get(...params),
  );

/** How `completedLessons` names one person's completion of one lesson (slugs are unique here). */
export const completion = (userId: number, lessonSlug: string) => `${userId}:${lessonSlug}`;

/** Every completed lesson, as `completion(userId, lessonSlug)`. */
export function completedLessons(db: Database.Database): Set<string> {
  const rows = db
    .prepare(
      `select lp.user_id || ':' || l.slug from lesson_progress lp
       join lessons l on l.id = lp.lesson_id where lp.completed_at is not null`,
    )
    .pluck()
    .all() as string[];
  return new Set(rows);
}

/**
 * Summary rows agree with the ledger: every completed lesson has its event, and every course's
 * lesson count is the number of its completed lessons. Returns the disagreements.
 */
export function ledgerDisagreements(db: Database.Database): string[] {
  const missingEvents = db
    .prepare(
      `select lp.user_id, lp.lesson_id from lesson_progress lp
       where lp.completed_at is not null and not exists (
         select 1 from progress_events e where e.user_id = lp.user_id
           and e.lesson_id = lp.lesson_id and e.type = 'lesson_completed')`,
    )
    .all() as { user_id: number; lesson_id: number }[];
  const wrongCounts = db
    .prepare(
      `select cp.user_id, cp.course_id, cp.lessons_completed,
         (select count(*) from lesson_progress lp where lp.user_id = cp.user_id
            and lp.course_id = cp.course_id and lp.completed_at is not null) as done
       from course_progress cp where cp.lessons_completed <> done`,
    )
    .all() as { user_id: number; course_id: number; lessons_completed: number; done: number }[];
  return [
    ...missingEvents.map((r) => `user ${r.user_id} lesson ${r.lesson_id}: no completion event`),
    ...wrongCounts.map(
      (r) =>
        `user ${r.user_id} course ${r.course_id}: lessons_completed ${r.lessons_completed}, completed rows ${r.done}`,
    ),
  ];
}

/**
 * After a fault: the integrity check, summary rows that disagree with the ledger, and the
 * acknowledged completions (as `completion(…)`) that are missing. All is well when it equals
 * `SOUND`.
 */
export function soundness(db: Database.Database, acknowledged: Iterable<string>) {
  const present = completedLessons(db);
  return {
    integrity: integrityOf(db),
    disagreements: ledgerDisagreements(db),
    missing: [...acknowledged].filter((c) => !present.has(c)),
  };
}

export const SOUND = { integrity: "ok", disagreements: [], missing: [] };
