/**
 * Which questions teach and which only trip people up: per question of a quiz lesson, from the
 * attempts already stored on the versions that ask the current questions.
 */
import type { QuizIsland } from "~/components/mdx/islands";
import type { QuestionFlag, QuizStats, StatsRules } from "~/components/question-statistics";
import { getCompiledMany, type AdminLessonRow } from "~/models/courses.server";
import {
  GROUP_SHARE,
  groupSize,
  questionFigures,
  quizTotals,
  versionsAssessing,
  type StatsScope,
} from "~/models/question-stats.server";

/** The flags and when they are raised (the page prints these). */
export const FLAG_RULES: StatsRules = {
  /** Below this many people, no question is flagged: too few to tell. */
  minPeople: 20,
  /** Facility above this: "nearly everyone gets it right". */
  easy: 0.95,
  /** Facility below this: "most people get it wrong the first time". */
  hard: 0.3,
  /** Discrimination below this: "strong learners get it wrong more often than others". */
  reversed: 0,
  groupShare: GROUP_SHARE,
};

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function flagsFor(people: number, facility: number | null, discrimination: number | null) {
  const flags: QuestionFlag[] = [];
  if (people < FLAG_RULES.minPeople || facility === null) return flags;
  if (facility > FLAG_RULES.easy) flags.push("easy");
  if (facility < FLAG_RULES.hard) flags.push("hard");
  if (discrimination !== null && discrimination < FLAG_RULES.reversed) flags.push("reversed");
  return flags;
}

/** Statistics for every quiz of the lesson's current version (usually one). */
export async function quizStatistics(lesson: AdminLessonRow): Promise<QuizStats[]> {
  const compiled = (await getCompiledMany([lesson.contentHash])).get(lesson.contentHash);
  if (!compiled) return [];
  const quizzes = compiled.islands.filter((i): i is QuizIsland => i.kind === "quiz");
  const versionIds = await versionsAssessing(lesson.id, compiled.assessedHash);
  const stats: QuizStats[] = [];
  for (const quiz of quizzes) {
    const key = compiled.answerKey[quiz.id];
    const correct = Object.fromEntries(
      Object.entries(key?.questions ?? {}).map(([q, v]) => [q, v.correct]),
    );
    const scope: StatsScope = {
      lessonId: lesson.id,
      versionIds,
      quizId: quiz.id,
      includeUnlabelled: quizzes.length === 1,
      correct,
    };
    const totals = await quizTotals(scope);
    const group = groupSize(totals.people);
    const figures = await questionFigures(scope, { people: totals.people, group });
    stats.push({
      quizId: quiz.id,
      passMark: quiz.passMark,
      ...totals,
      questions: quiz.questions.map((question, i) => {
        const f = figures.find((r) => r.question === question.id);
        // Every first attempt counts for every question: one left unanswered is wrong.
        const people = totals.people;
        const facility = share(f?.right ?? 0, people);
        const upper = share(f?.upperRight ?? 0, group);
        const lower = share(f?.lowerRight ?? 0, group);
        const discrimination = upper === null || lower === null ? null : upper - lower;
        return {
          id: question.id,
          number: i + 1,
          promptHtml: question.promptHtml,
          multiple: question.multiple,
          people,
          facility,
          discrimination,
          choices: question.choices.map((choice) => {
            const picked = f?.picked.get(choice.id) ?? 0;
            return {
              id: choice.id,
              html: choice.html,
              correct: correct[question.id]?.includes(choice.id) ?? false,
              picked,
              share: people === 0 ? 0 : picked / people,
            };
          }),
          flags: flagsFor(people, facility, discrimination),
        };
      }),
    });
  }
  return stats;
}
