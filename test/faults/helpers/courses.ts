import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The one quiz lesson: `q1` has choices `q1-a` (wrong) and `q1-b` (right); no attempt limit. */
export const QUIZ = {
  course: "checks",
  lesson: "check",
  right: { q1: "q1-b" },
  wrong: { q1: "q1-a" },
} as const;

export const DRILL = "drill";
export const lessonSlug = (n: number) => `step-${String(n).padStart(2, "0")}`;
const lessonFile = (n: number) => `${String(n).padStart(2, "0")}-${lessonSlug(n)}.mdx`;

function lessonSource(n: number, revision: string) {
  return `---
id: ${lessonSlug(n)}
title: Step ${n}
minutes: 2
---

Step ${n} of the drill (${revision}).

<Callout type="tip">Keep the aisle clear, step ${n}.</Callout>
`;
}

/**
 * A fresh courses folder: `drill` (lessons step-01…, completed with `intent=complete`) and
 * `checks` (one quiz). Returns its path.
 */
export function writeFaultCourses(drillLessons: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-fault-courses-"));
  const drill = path.join(dir, DRILL);
  fs.mkdirSync(drill);
  fs.writeFileSync(
    path.join(drill, "course.mdx"),
    "---\ntitle: Drill\nsummary: Short lessons without a quiz.\norder: 1\n---\n\nThe drill.\n",
  );
  for (let n = 1; n <= drillLessons; n++) {
    fs.writeFileSync(path.join(drill, lessonFile(n)), lessonSource(n, "first edition"));
  }
  const checks = path.join(dir, QUIZ.course);
  fs.mkdirSync(checks);
  fs.writeFileSync(
    path.join(checks, "course.mdx"),
    "---\ntitle: Checks\nsummary: One quiz.\norder: 2\n---\n\nA quiz.\n",
  );
  fs.writeFileSync(
    path.join(checks, `01-${QUIZ.lesson}.mdx`),
    `---
id: ${QUIZ.lesson}
title: Check
minutes: 1
---

<Quiz passMark={1}>
  <Question prompt="Where do wet-floor signs go?">
    <Choice>In the office</Choice>
    <Choice correct>Beside the spill</Choice>
    <Explanation>Where people will see them before they step in it.</Explanation>
  </Question>
</Quiz>
`,
  );
  return dir;
}

/** Rewrites drill lessons 1…count with new text (a new version each; nothing assessed changes). */
export function reviseDrillLessons(dir: string, count: number, revision: string) {
  for (let n = 1; n <= count; n++) {
    fs.writeFileSync(path.join(dir, DRILL, lessonFile(n)), lessonSource(n, revision));
  }
}

/** Path of drill lesson `n` in `dir`. */
export const drillLessonPath = (dir: string, n: number) => path.join(dir, DRILL, lessonFile(n));
