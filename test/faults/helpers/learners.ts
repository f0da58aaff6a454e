import { Browser } from "../../helpers/http";
import { loggedIn, seedPeople, type TestPerson } from "../../helpers/people";
import { QUIZ } from "./courses";
import { inPool } from "./load";

export const DOMAIN = "faults.example";

/** `count` learners (learner1…) in two departments, plus `extra` people; returns key → id. */
export function seedLearners(count: number, extra: TestPerson[] = []) {
  const learners = Array.from({ length: count }, (_, i) => ({
    key: `learner${i + 1}`,
    name: `Learner ${i + 1}`,
    dept: i % 2 ? "Shop" : "Warehouse",
  }));
  return seedPeople([...extra, ...learners], DOMAIN);
}

/** Logs every key in, a few at a time (each login hashes a password on the server). */
export async function logInAll(url: string, keys: string[]): Promise<Map<string, Browser>> {
  const browsers = new Map<string, Browser>();
  await inPool(keys, 4, async (key) => {
    browsers.set(key, await loggedIn(url, key, DOMAIN));
  });
  return browsers;
}

/** The same session against another server address (a restarted server gets a new port). */
export function rebase(browser: Browser, url: string): Browser {
  const moved = new Browser(url);
  moved.cookie = browser.cookie;
  return moved;
}

/** Marks a lesson without a quiz complete: 302 to the next lesson when acknowledged. */
export const completeLesson = (browser: Browser, course: string, lesson: string) =>
  browser.post(`/courses/${course}/${lesson}`, { intent: "complete" });

/** The version the quiz form carries (read from the lesson page). */
export async function quizVersion(browser: Browser): Promise<string> {
  const res = await browser.get(`/courses/${QUIZ.course}/${QUIZ.lesson}`);
  const match = /name="version" value="(\d+)"/.exec(await res.text());
  if (!match) throw new Error(`No quiz form on the quiz lesson (status ${res.status}).`);
  return match[1]!;
}

/**
 * A quiz submission as the page sends it with JavaScript on (single fetch, `.data`): 200 when the
 * attempt is recorded. (The form post without JavaScript renders the whole page in reply.)
 */
export const submitQuiz = (browser: Browser, version: string, right: boolean) =>
  browser.post(`/courses/${QUIZ.course}/${QUIZ.lesson}.data`, {
    intent: "quiz",
    quiz: "quiz-1",
    version,
    ...(right ? QUIZ.right : QUIZ.wrong),
  });
