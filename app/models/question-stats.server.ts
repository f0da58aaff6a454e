/**
 * Question statistics SQL, set-based over quiz_attempts (each attempt's answers are JSON:
 * question id → chosen choice ids). SQLite's JSON functions (json_each) read them; a PostgreSQL
 * port uses jsonb_each and jsonb_array_elements_text in the same shape.
 *
 * Facility and choice shares are over each person's FIRST attempt (what they knew before any
 * feedback); the discrimination index compares the top and bottom 27% of people ranked by the
 * score of that first attempt (ties: the earlier attempt ranks higher).
 */
import { sql } from "kysely";
import { db } from "~/utils/db.server";

export interface StatsScope {
  lessonId: number;
  /** The versions whose questions and answers are those of the current version. */
  versionIds: number[];
  quizId: string;
  /** Attempts stored before quiz ids were recorded count too (the lesson has one quiz). */
  includeUnlabelled: boolean;
  /** Question id → its correct choice ids. */
  correct: Record<string, string[]>;
}

/** The share of people, from the top and from the bottom, in each discrimination group. */
export const GROUP_SHARE = 0.27;

function attemptsCte(scope: StatsScope) {
  return sql`attempts as (
      select a.id, a.user_id, a.score, a.passed, a.answers,
        row_number() over (partition by a.user_id order by a.id) as nth
      from quiz_attempts a
      where a.lesson_id = ${scope.lessonId}
        and a.version_id in (select value from json_each(${JSON.stringify(scope.versionIds)}))
        and (a.quiz_id = ${scope.quizId} or (a.quiz_id is null and ${scope.includeUnlabelled ? 1 : 0} = 1))
    ),
    picks as (
      select a.id as attempt, a.nth, q.key as question, c.value as choice
      from attempts a, json_each(a.answers) q, json_each(q.value) c
    ),
    answer_key as (
      select q.key as question, c.value as choice
      from json_each(${JSON.stringify(scope.correct)}) q, json_each(q.value) c
    )`;
}

export interface QuizTotals {
  attempts: number;
  people: number;
  passedFirstTime: number;
}

export async function quizTotals(scope: StatsScope): Promise<QuizTotals> {
  const { rows } = await sql<QuizTotals>`with ${attemptsCte(scope)}
    select count(*) as attempts,
      coalesce(sum(nth = 1), 0) as people,
      coalesce(sum(nth = 1 and passed = 1), 0) as "passedFirstTime"
    from attempts`.execute(db);
  const row = rows[0];
  return {
    attempts: Number(row?.attempts ?? 0),
    people: Number(row?.people ?? 0),
    passedFirstTime: Number(row?.passedFirstTime ?? 0),
  };
}

export interface QuestionFigures {
  question: string;
  /** First attempts, and how many of them got this question exactly right. */
  firstAttempts: number;
  firstRight: number;
  upperCount: number;
  upperRight: number;
  lowerCount: number;
  lowerRight: number;
}

/**
 * Per question: right on the first attempt (exactly the correct choices, no more, no fewer; an
 * unanswered question is wrong), overall and in the upper and lower groups.
 */
export async function questionFigures(scope: StatsScope): Promise<QuestionFigures[]> {
  const { rows } = await sql<QuestionFigures>`with ${attemptsCte(scope)},
    firsts as (
      select id, row_number() over (order by score desc, id) as rank, count(*) over () as n
      from attempts where nth = 1
    ),
    questions as (select question, count(*) as correct_count from answer_key group by question),
    scored as (
      select p.attempt, p.question, count(*) as chosen, count(k.choice) as chosen_right
      from picks p left join answer_key k on k.question = p.question and k.choice = p.choice
      where p.nth = 1
      group by p.attempt, p.question
    ),
    graded as (
      select q.question, f.rank, f.n,
        cast((f.n * ${Math.round(GROUP_SHARE * 100)} + 99) / 100 as integer) as g,
        coalesce(s.chosen = q.correct_count and s.chosen_right = q.correct_count, 0) as is_right
      from firsts f cross join questions q
      left join scored s on s.attempt = f.id and s.question = q.question
    )
    select question,
      count(*) as "firstAttempts",
      sum(is_right) as "firstRight",
      sum(rank <= g) as "upperCount",
      sum(case when rank <= g then is_right else 0 end) as "upperRight",
      sum(rank > n - g) as "lowerCount",
      sum(case when rank > n - g then is_right else 0 end) as "lowerRight"
    from graded group by question`.execute(db);
  return rows.map((r) => ({
    question: r.question,
    firstAttempts: Number(r.firstAttempts),
    firstRight: Number(r.firstRight),
    upperCount: Number(r.upperCount),
    upperRight: Number(r.upperRight),
    lowerCount: Number(r.lowerCount),
    lowerRight: Number(r.lowerRight),
  }));
}

/** How many first attempts picked each choice (question id, choice id, count). */
export async function choicePicks(
  scope: StatsScope,
): Promise<{ question: string; choice: string; picked: number }[]> {
  const { rows } = await sql<{
    question: string;
    choice: string;
    picked: number;
  }>`with ${attemptsCte(scope)}
    select question, choice, count(*) as picked from picks where nth = 1
    group by question, choice`.execute(db);
  return rows.map((r) => ({ ...r, picked: Number(r.picked) }));
}

/** The versions of a lesson that assess exactly what `assessedHash` does (same questions and key). */
export async function versionsAssessing(lessonId: number, assessedHash: string): Promise<number[]> {
  const rows = await db
    .selectFrom("lesson_versions as v")
    .innerJoin("compiled_mdx as m", "m.content_hash", "v.content_hash")
    .select("v.id")
    .where("v.lesson_id", "=", lessonId)
    .where("m.assessed_hash", "=", assessedHash)
    .execute();
  return rows.map((r) => r.id);
}
