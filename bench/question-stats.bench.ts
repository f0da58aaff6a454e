/**
 * Question statistics (issue 12) on a quiz lesson taken by 10,000 people: every person's first
 * attempt and, for four in ten, a retry; five questions, one of them "select all". The data is
 * generated into its own file (bench/.data), so the reference organisation stays as it is.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { migrateToLatest } from "#db/migrate";
import { copyDatabaseTo } from "~/services/database-copy.server";
import { closeDatabase, handlesFor, switchDatabase, type SqliteHandles } from "~/utils/db.server";
import { mulberry32 } from "~/utils/random";
import { benchPostgres, newBenchDatabase } from "./database";
import type { BenchResult } from "./types";

const PEOPLE = 10_000;
const RUNS = 20;
const FILE = path.resolve("bench/.data/question-stats-v1.db");

const CHOICES = ["a", "b", "c", "d"];
const CORRECT: Record<string, string[]> = {
  q1: ["q1-b"],
  q2: ["q2-a"],
  q3: ["q3-a", "q3-c"],
  q4: ["q4-d"],
  q5: ["q5-c"],
};
const QUIZ = {
  kind: "quiz",
  id: "quiz-1",
  passMark: 0.8,
  questions: Object.entries(CORRECT).map(([id, right]) => ({
    id,
    promptHtml: `Question ${id}`,
    multiple: right.length > 1,
    choices: CHOICES.map((c) => ({ id: `${id}-${c}`, html: `Choice ${c}` })),
  })),
};

async function build() {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(FILE + suffix, { force: true });
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  await switchDatabase(FILE);
  await migrateToLatest();
  const { sqlite } = handlesFor() as SqliteHandles;
  const random = mulberry32(1212);
  const stamp = new Date().toISOString();
  sqlite.transaction(() => {
    const answerKey = {
      "quiz-1": {
        passMark: 0.8,
        questions: Object.fromEntries(
          Object.entries(CORRECT).map(([q, correct]) => [q, { correct, explanationHtml: "" }]),
        ),
      },
    };
    sqlite
      .prepare(
        `insert into compiled_mdx (content_hash, html_segments, islands, answer_key, assessed_hash, created_at)
         values ('stats', '["",""]', ?, ?, 'stats-assessed', ?)`,
      )
      .run(JSON.stringify([QUIZ]), JSON.stringify(answerKey), stamp);
    const course = sqlite
      .prepare(
        `insert into courses (slug, title, summary, sort_order, intro_hash, status, updated_at)
         values ('stats', 'Stats', 'Stats.', 1, 'stats', 'published', ?)`,
      )
      .run(stamp).lastInsertRowid;
    const lesson = sqlite
      .prepare(
        `insert into lessons (course_id, slug, title, minutes, position, status) values (?, 'quiz', 'Quiz', 5, 1, 'published')`,
      )
      .run(course).lastInsertRowid;
    const version = sqlite
      .prepare(
        `insert into lesson_versions (lesson_id, content_hash, source, has_quiz, published_at) values (?, 'stats', '', 1, ?)`,
      )
      .run(lesson, stamp).lastInsertRowid;
    sqlite
      .prepare("update lessons set current_version_id = ?, valid_from_version_id = ? where id = ?")
      .run(version, version, lesson);
    const insertUser = sqlite.prepare(
      `insert into users (email, name, title, is_admin, is_leader, status, created_at, updated_at)
       values (?, ?, '', 0, 0, 'active', ?, ?)`,
    );
    const insertAttempt = sqlite.prepare(
      `insert into quiz_attempts (user_id, lesson_id, version_id, quiz_id, answers, score, passed, created_at)
       values (?, ?, ?, 'quiz-1', ?, ?, ?, ?)`,
    );
    const attempt = (userId: bigint | number, ability: number) => {
      let right = 0;
      const answers: Record<string, string[]> = {};
      for (const [q, correct] of Object.entries(CORRECT)) {
        if (random() < ability) {
          answers[q] = correct;
          right++;
        } else answers[q] = [`${q}-${CHOICES[Math.floor(random() * 4)]}`];
      }
      const score = right / 5;
      insertAttempt.run(
        userId,
        lesson,
        version,
        JSON.stringify(answers),
        score,
        score >= 0.8 ? 1 : 0,
        stamp,
      );
    };
    for (let i = 1; i <= PEOPLE; i++) {
      const userId = insertUser.run(
        `p${i}@stats.example`,
        `Person ${i}`,
        stamp,
        stamp,
      ).lastInsertRowid;
      const ability = 0.3 + 0.6 * random();
      attempt(userId, ability);
      if (random() < 0.4) attempt(userId, Math.min(1, ability + 0.2));
    }
  })();
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const engines = ["sqlite", "postgres"];

export async function run(): Promise<BenchResult[]> {
  await build();
  if (benchPostgres()) await copyDatabaseTo(await newBenchDatabase("stats"));
  const { getLessonForAdmin, getCourseBySlug } = await import("~/models/courses.server");
  const { quizStatistics } = await import("~/services/question-stats.server");
  const course = (await getCourseBySlug("stats"))!;
  const lesson = (await getLessonForAdmin(course.id, "quiz"))!;
  const [first] = await quizStatistics(lesson); // warm
  if (first?.people !== PEOPLE) throw new Error(`expected ${PEOPLE} people, got ${first?.people}`);
  (globalThis as { gc?: () => void }).gc?.();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await quizStatistics(lesson);
    times.push(performance.now() - start);
  }
  await closeDatabase();
  return [
    {
      name: `question statistics, one quiz, ${PEOPLE.toLocaleString("en")} people, ${first.attempts.toLocaleString("en")} attempts (median)`,
      value: median(times),
      unit: "ms",
      budget: 500,
    },
    { name: "question statistics, slowest of 20", value: Math.max(...times), unit: "ms" },
  ];
}
