/**
 * Question statistics SQL, set-based over quiz_attempts (each attempt's answers are JSON:
 * question id → chosen choice ids), read by the engine's JSON functions (db.server.ts:
 * `jsonEntries`, `jsonElements`, `jsonLength`).
 *
 * Facility and choice shares are over each person's FIRST attempt (what they knew before any
 * feedback); the discrimination index compares the top and bottom 27% of people ranked by the
 * score of that first attempt (ties: the earlier attempt ranks higher).
 */
import { sql } from "kysely";
import { jsonElements, jsonEntries, jsonLength } from "~/utils/db-catalogue.server";
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

/** This quiz's attempts on these versions, each numbered per person (1: their first). */
function attemptsCte(scope: StatsScope) {
  // No version: no attempt (an empty IN list is not SQL).
  const versions = scope.versionIds.length > 0 ? scope.versionIds : [0];
  return sql`attempts as (
      select a.id, a.score, a.passed, a.answers,
        row_number() over (partition by a.user_id order by a.id) as nth
      from quiz_attempts a
      where a.lesson_id = ${scope.lessonId}
        and a.version_id in (${sql.join(versions)})
        and (a.quiz_id = ${scope.quizId} or (a.quiz_id is null and ${scope.includeUnlabelled ? 1 : 0} = 1))
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
      count(*) filter (where nth = 1) as people,
      count(*) filter (where nth = 1 and passed = 1) as "passedFirstTime"
    from attempts`.execute(db);
  const row = rows[0];
  return {
    attempts: Number(row?.attempts ?? 0),
    people: Number(row?.people ?? 0),
    passedFirstTime: Number(row?.passedFirstTime ?? 0),
  };
}

/** How many people, from the top and from the bottom, are in each discrimination group. */
export const groupSize = (people: number) => Math.ceil(GROUP_SHARE * people);

export interface QuestionFigures {
  question: string;
  /** First attempts that got this question exactly right, overall and in each group. */
  right: number;
  upperRight: number;
  lowerRight: number;
  /** Choice id → how many first attempts picked it. */
  picked: Map<string, number>;
}

/**
 * Per question, from first attempts only (their answers are read once, and every step is a
 * scan or a group: no join whose cost grows with the square of the people): right (exactly
 * the correct choices, no more, no fewer; unanswered is wrong) overall and in the upper and
 * lower groups of `group` people each out of `people`, and how often each choice was picked.
 */
export async function questionFigures(
  scope: StatsScope,
  { people, group }: { people: number; group: number },
): Promise<QuestionFigures[]> {
  const { rows } = await sql<{
    kind: "question" | "choice";
    question: string;
    choice: string | null;
    n: number;
    upperRight: number | null;
    lowerRight: number | null;
  }>`with ${attemptsCte(scope)},
    picks as (
      select f.id as attempt, f.rank, q.key as question, c.value as choice
      from (
        select id, answers, row_number() over (order by score desc, id) as rank
        from attempts where nth = 1
      ) f
      cross join ${jsonEntries(sql.ref("f.answers"))} q
      cross join ${jsonElements(sql.ref("q.value"))} c
    ),
    answer_key as (
      select q.key as question, c.value as choice, ${jsonLength(sql.ref("q.value"))} as size
      from ${jsonEntries(sql.val(JSON.stringify(scope.correct)))} q
      cross join ${jsonElements(sql.ref("q.value"))} c
    ),
    graded as (
      select p.question, max(p.rank) as rank,
        count(*) = max(k.size) and count(k.choice) = max(k.size) as is_right
      from picks p left join answer_key k on k.question = p.question and k.choice = p.choice
      group by p.attempt, p.question
    )
    select 'question' as kind, question, null as choice,
      count(*) filter (where is_right) as n,
      count(*) filter (where is_right and rank <= ${group}) as "upperRight",
      count(*) filter (where is_right and rank > ${people - group}) as "lowerRight"
    from graded group by question
    union all
    select 'choice', question, choice, count(*), null, null
    from picks group by question, choice`.execute(db);
  const figures = new Map<string, QuestionFigures>();
  const of = (question: string) => {
    let figure = figures.get(question);
    if (!figure) {
      figure = { question, right: 0, upperRight: 0, lowerRight: 0, picked: new Map() };
      figures.set(question, figure);
    }
    return figure;
  };
  for (const r of rows) {
    const figure = of(r.question);
    if (r.kind === "choice") figure.picked.set(r.choice ?? "", Number(r.n));
    else {
      figure.right = Number(r.n ?? 0);
      figure.upperRight = Number(r.upperRight ?? 0);
      figure.lowerRight = Number(r.lowerRight ?? 0);
    }
  }
  return [...figures.values()];
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
