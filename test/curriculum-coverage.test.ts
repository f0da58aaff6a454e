// The authoring guide's coverage table is a promise about the course files: every "assessed by"
// reference names a lesson that exists, has a quiz, and has the question it names ("all (Q1–Q5)"
// is exactly that lesson's questions).
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const COURSES = "courses";
const guide = fs.readFileSync(path.join(COURSES, "README.md"), "utf8");

/** Lesson id → number of <Question>s in its quiz, over every course folder. */
function questionCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const course of fs.readdirSync(COURSES, { withFileTypes: true })) {
    if (!course.isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(COURSES, course.name))) {
      if (!/^\d+-.*\.mdx$/.test(file)) continue;
      const source = fs.readFileSync(path.join(COURSES, course.name, file), "utf8");
      const id = /^id:\s*(\S+)/m.exec(source)?.[1];
      if (id) counts.set(id, (source.match(/<Question\b/g) ?? []).length);
    }
  }
  return counts;
}

function coverageRows(): { misunderstanding: string; assessedBy: string }[] {
  const section = guide.split("## Coverage: the eight misunderstandings")[1]!.split("\n## ")[0]!;
  return section
    .split("\n")
    .filter((line) => /^\| \d+\s+\|/.test(line))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      return { misunderstanding: cells[1]!, assessedBy: cells[4]! };
    });
}

test("the table covers all eight misunderstandings", () => {
  expect(coverageRows().map((r) => r.misunderstanding)).toEqual([
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
  ]);
});

test("every 'assessed by' reference names a real question of a real quiz", () => {
  const counts = questionCounts();
  const problems: string[] = [];
  let references = 0;
  for (const row of coverageRows()) {
    for (const part of row.assessedBy.split(";").map((p) => p.trim())) {
      const match = /^`([a-z0-9-]+)` (.+)$/.exec(part);
      if (!match) {
        problems.push(`row ${row.misunderstanding}: cannot read "${part}"`);
        continue;
      }
      const [, lesson, which] = match as unknown as [string, string, string];
      const questions = counts.get(lesson);
      if (!questions) {
        problems.push(`row ${row.misunderstanding}: ${lesson} has no quiz (or does not exist)`);
        continue;
      }
      const all = /^all \(Q1–Q(\d+)\)$/.exec(which);
      if (all) {
        references += questions;
        if (Number(all[1]) !== questions)
          problems.push(
            `row ${row.misunderstanding}: ${lesson} has ${questions} questions, not ${all[1]}`,
          );
        continue;
      }
      for (const q of which.split(",").map((x) => x.trim())) {
        references++;
        const n = /^Q(\d+)$/.exec(q)?.[1];
        if (!n || Number(n) > questions)
          problems.push(`row ${row.misunderstanding}: ${lesson} ${q} does not exist`);
      }
    }
  }
  expect(problems).toEqual([]);
  expect(references).toBeGreaterThan(50);
});
