import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mulberry32 } from "~/utils/random";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { DRILL, lessonSlug, writeFaultCourses } from "./helpers/courses";
import {
  completeLesson,
  logInAll,
  quizVersion,
  rebase,
  seedLearners,
  submitQuiz,
} from "./helpers/learners";
import { sleep } from "./helpers/load";
import { completion, inspect, SOUND, soundness } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// F1: the server is killed (-9, primary and workers at once) in the middle of bursts of
// completions and quiz submissions, 20 times. The client keeps a log of every write the server
// acknowledged; after each restart every one of them must be in the database.

const KILL_POINTS = 20;
const LEARNERS = 100;
const LESSONS = 40;
const COMPLETION_CLIENTS = 8;
const QUIZ_CLIENTS = 6;
const SEED = Number(process.env.FAULT_SEED ?? 1);

const file = process.env.DATABASE_PATH!;
const coursesDir = writeFaultCourses(LESSONS);
/** Odd kill points crash two workers and their primary, even ones a single process. */
const serverEnv = (point: number) => ({
  COURSES_DIR: coursesDir,
  WEB_CONCURRENCY: point % 2 ? "2" : "1",
});
let server: RunningServer;
let sessions: Map<string, Browser>;
let userIds: Map<string, number>;
let version: string;

interface Pair {
  key: string;
  slug: string;
  /** As completedLessons() names it. */
  completion: string;
}

beforeAll(async () => {
  await migratedDatabase();
  userIds = await seedLearners(LEARNERS);
  server = await startServer(serverEnv(1));
  sessions = await logInAll(server.url, [...userIds.keys()]);
  version = await quizVersion(sessions.get("learner1")!);
});

afterAll(async () => {
  await server?.stop();
});

/** Every learner × drill lesson, shuffled: each completion is attempted exactly once. */
function allPairs(random: () => number): Pair[] {
  const pairs: Pair[] = [];
  for (const [key, userId] of userIds) {
    for (let n = 1; n <= LESSONS; n++) {
      pairs.push({ key, slug: lessonSlug(n), completion: completion(userId, lessonSlug(n)) });
    }
  }
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  return pairs;
}

describe("F1 kill -9 during bursts of writes", () => {
  test(`${KILL_POINTS} kill points: every acknowledged completion and quiz attempt is there after the restart`, async (context) => {
    const random = mulberry32(SEED);
    const pending = allPairs(random);
    const acked: Pair[] = [];
    /** Sent, then the server died before answering: may or may not have been committed. */
    let unanswered = 0;
    const quizAcked = new Map<string, number>();
    const quizSent = new Map<string, number>();
    const unexpected: string[] = [];
    const learnerKeys = [...userIds.keys()];
    const quizTotal = () => [...quizAcked.values()].reduce((a, b) => a + b, 0);

    for (let point = 1; point <= KILL_POINTS; point++) {
      let killed = false;
      const at = (browser: Browser) => rebase(browser, server.url);
      const completions = Array.from({ length: COMPLETION_CLIENTS }, async () => {
        while (!killed) {
          const pair = pending.pop();
          if (!pair) return;
          try {
            const res = await completeLesson(at(sessions.get(pair.key)!), DRILL, pair.slug);
            await res.arrayBuffer();
            if (res.status === 302) acked.push(pair);
            else unexpected.push(`completion ${pair.key}/${pair.slug}: ${res.status}`);
          } catch {
            unanswered++;
          }
        }
      });
      // One quiz submission at a time per learner, so that attempts can be counted per learner.
      const quizzes = Array.from({ length: QUIZ_CLIENTS }, async (_, client) => {
        const mine = learnerKeys.filter((_, i) => i % QUIZ_CLIENTS === client);
        for (let i = 0; !killed; i++) {
          const key = mine[i % mine.length]!;
          quizSent.set(key, (quizSent.get(key) ?? 0) + 1);
          try {
            const res = await submitQuiz(at(sessions.get(key)!), version, i % 3 === 0);
            await res.arrayBuffer();
            if (res.status === 200) quizAcked.set(key, (quizAcked.get(key) ?? 0) + 1);
            else unexpected.push(`quiz ${key}: ${res.status}`);
          } catch {
            unanswered++;
          }
        }
      });
      // Mid-burst on any machine: after a few acknowledged writes of each kind, then a random
      // moment later.
      const enough = { completions: acked.length + 5, quizzes: quizTotal() + 2 };
      const waitedFrom = Date.now();
      const completing = () => acked.length < enough.completions && pending.length > 0;
      while (completing() || quizTotal() < enough.quizzes) {
        if (Date.now() - waitedFrom > 60_000)
          throw new Error(`kill point ${point}: the burst did not get going within a minute`);
        await sleep(10);
      }
      await sleep(random() * 600);
      killed = true;
      await server.crash();
      await Promise.all([...completions, ...quizzes]);

      server = await startServer(serverEnv(point + 1));
      const after = inspect(file, (db) => {
        const perUser = new Map(
          (
            db.prepare("select user_id, count(*) n from quiz_attempts group by user_id").all() as {
              user_id: number;
              n: number;
            }[]
          ).map((r) => [r.user_id, r.n]),
        );
        const attempts = (key: string) => perUser.get(userIds.get(key)!) ?? 0;
        return {
          ...soundness(
            db,
            acked.map((p) => p.completion),
          ),
          quizLost: learnerKeys.filter((key) => attempts(key) < (quizAcked.get(key) ?? 0)),
          quizExtra: learnerKeys.filter((key) => attempts(key) > (quizSent.get(key) ?? 0)),
        };
      });
      expect(after, `after kill point ${point}`).toEqual({ ...SOUND, quizLost: [], quizExtra: [] });
    }

    expect(unexpected).toEqual([]);
    await figure(
      context,
      `${KILL_POINTS} kill points; ${acked.length + quizTotal()} acknowledged writes checked ` +
        `(${acked.length} completions, ${quizTotal()} quiz attempts), none missing; ` +
        `${unanswered} unanswered at the kills; integrity ok after every restart (seed ${SEED})`,
    );
  });
});
