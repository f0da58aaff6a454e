import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { compileMdx } from "~/services/mdx-compile.server";

// Five frontmatter lines and a blank one: `<Quiz>` is on line 7, the first `<Question>` on 8.
const HEAD = "---\nid: q\ntitle: Q\nminutes: 5\n---\n\n";

type Choice = string | { correct: string };
const question = (choices: Choice[]) =>
  `<Question prompt="P">\n${choices
    .map((c) =>
      typeof c === "string" ? `  <Choice>${c}</Choice>` : `  <Choice correct>${c.correct}</Choice>`,
    )
    .join("\n")}\n  <Explanation>E.</Explanation>\n</Question>`;

/** The warnings for one quiz, as `line:col message` (each question takes choices + 3 lines). */
async function warningsFor(...questions: Choice[][]): Promise<string[]> {
  const source = `${HEAD}<Quiz>\n${questions.map(question).join("\n")}\n</Quiz>\n`;
  const { warnings } = await compileMdx(source, { file: "q.mdx" });
  return warnings.map((w) => `${w.line}:${w.column} ${w.message}`);
}

describe("quiz-quality warnings", () => {
  test("longest-correct: the correct choice strictly longest in more than half (and at least 2) single-answer questions", async () => {
    const biased = ["aaaa", "bbbb", { correct: "cccccc" }];
    const fair = ["aaaa", "bbbbbbb", { correct: "cccccc" }];
    const tied = ["aaaaaa", "bbbb", { correct: "cccccc" }];
    expect(await warningsFor(biased, biased, biased, fair)).toEqual([
      "7:1 warning: the correct choice is the longest in 3 of 4 single-answer questions with three or more choices: someone who always picks the longest choice passes; make the choices similar in length",
    ]);
    // Half is not more than half; one question is not a pattern; a tie is not strictly longest.
    expect(await warningsFor(biased, biased, fair, fair)).toEqual([]);
    expect(await warningsFor(biased)).toEqual([]);
    expect(await warningsFor(biased, tied, tied)).toEqual([]);
    // Questions with two choices, or several correct ones, do not count.
    const twoChoices = ["a", { correct: "cccccc" }];
    const multi = [{ correct: "cccccc" }, { correct: "dddddd" }, "a", "b"];
    expect(await warningsFor(biased, biased, twoChoices, twoChoices, multi, multi)).toEqual([
      expect.stringContaining("7:1 warning: the correct choice is the longest in 2 of 2 "),
    ]);
  });

  test("select-all-but-one: three or more choices of which exactly one is wrong", async () => {
    expect(
      await warningsFor(
        [{ correct: "aa" }, { correct: "bb" }, "cc"],
        [{ correct: "aa" }, { correct: "bb" }, { correct: "cc" }, "dd"],
        [{ correct: "aa" }, { correct: "bb" }, "cc", "dd"],
        [{ correct: "aa" }, "bb"],
      ),
    ).toEqual([
      "8:1 warning: every choice but one is correct: the odd one out gives the answer away; vary how many choices are correct and make the wrong ones plausible",
      "14:1 warning: every choice but one is correct: the odd one out gives the answer away; vary how many choices are correct and make the wrong ones plausible",
    ]);
  });

  test("length-spread: longest more than twice the shortest and more than 30 characters longer; Markdown and spacing do not count", async () => {
    const ten = "x".repeat(10);
    expect(
      await warningsFor(
        [ten, { correct: "y".repeat(41) }],
        [ten, { correct: "y".repeat(40) }],
        ["x".repeat(40), { correct: "y".repeat(75) }],
        // 17 characters as typed, 11 as read: counting the Markdown and spaces, it would not warn.
        [`**${ten.slice(0, 5)}**   ${ten.slice(5)}`, { correct: "y".repeat(42) }],
      ),
    ).toEqual([
      "8:1 warning: the choices differ greatly in length (10 to 41 characters): make them similar in length and form",
      "23:1 warning: the choices differ greatly in length (11 to 42 characters): make them similar in length and form",
    ]);
  });

  test("courses check lists the warning with file and line; --strict makes it an error", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["bin/staffroom.js", "courses", "check", ...args], {
        encoding: "utf8",
      });
    const line =
      "test/fixtures/courses-quiz-quality/biased/01-biased.mdx:9:1 warning: the correct choice is the longest in 2 of 3 single-answer questions";

    const relaxed = run("test/fixtures/courses-quiz-quality");
    expect(relaxed.status).toBe(0);
    expect(relaxed.stderr).toContain(line);
    expect(relaxed.stdout).toContain("1 course, 1 lesson OK (1 warning)");

    const strict = run("--strict", "test/fixtures/courses-quiz-quality");
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(line);
    expect(strict.stderr).toContain(
      "0 errors and 1 warning found (--strict: warnings count as errors).",
    );
  });
});
