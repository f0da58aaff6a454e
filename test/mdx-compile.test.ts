import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { LessonBody } from "~/components/lesson-body";
import {
  MAX_SOURCE_BYTES,
  MdxError,
  compileKey,
  compileMdx,
  compileStats,
  resetCompileStats,
  type SourceError,
} from "~/services/mdx-compile.server";

// The lesson body outside a Remix router: a plain <form> and an idle navigation.
vi.mock("@remix-run/react", () => ({
  Form: (props: Record<string, unknown>) => createElement("form", props),
  useNavigation: () => ({ state: "idle", formData: undefined }),
}));

// Five frontmatter lines, so the body starts on line 6.
const HEAD = "---\nid: sample\ntitle: Sample\nminutes: 5\n---\n";

async function errorsOf(source: string, file = "sample.mdx"): Promise<SourceError[]> {
  try {
    await compileMdx(source, { file });
  } catch (error) {
    expect(error).toBeInstanceOf(MdxError);
    return (error as MdxError).errors;
  }
  throw new Error("expected the compile to refuse this source");
}

function where(errors: SourceError[]): string[] {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}`);
}

const QUIZ = `<Quiz passMark={0.5}>
<Question prompt="How fast should messages be answered?">
  <Choice>Within a week</Choice>
  <Choice correct>Within a day CORRECT-MARKER-7f3a</Choice>
  <Explanation>Because EXPLAIN-MARKER-7f3a customers wait.</Explanation>
</Question>
<Question prompt="Which help?">
  <Choice correct>A shared inbox</Choice>
  <Choice correct>A rota</Choice>
  <Choice>Ignoring them</Choice>
  <Explanation>Both help.</Explanation>
</Question>
</Quiz>`;

describe("compileMdx output", () => {
  test("segments and islands, answer key kept apart", async () => {
    const source = `${HEAD}
## Hello *there*

<Callout type="tip" title="Tip">Be **kind**.</Callout>

${QUIZ}

| a | b |
|---|---|
| 1 | 2 |

<Acknowledge>I have read the **policy** & agree.</Acknowledge>

The end.
`;
    const out = await compileMdx(source, { file: "sample.mdx" });
    expect(out.segments).toHaveLength(out.islands.length + 1);
    expect(out.islands.map((i) => `${i.kind}:${i.id}`)).toEqual([
      "quiz:quiz-1",
      "acknowledge:ack-1",
    ]);
    expect(out.segments[0]).toContain('<h2 id="hello-there">Hello <em>there</em></h2>');
    expect(out.segments[0]).toContain('class="callout callout--tip"');
    expect(out.segments[1]).toContain("<table>");
    expect(out.segments[2]).toContain("The end.");

    const quiz = out.islands[0]!;
    if (quiz.kind !== "quiz") throw new Error("expected a quiz");
    expect(quiz.passMark).toBe(0.5);
    expect(quiz.questions.map((q) => [q.id, q.multiple, q.choices.map((c) => c.id)])).toEqual([
      ["q1", false, ["q1-a", "q1-b"]],
      ["q2", true, ["q2-a", "q2-b", "q2-c"]],
    ]);
    expect(out.answerKey).toEqual({
      "quiz-1": {
        passMark: 0.5,
        questions: {
          q1: { correct: ["q1-b"], explanationHtml: "Because EXPLAIN-MARKER-7f3a customers wait." },
          q2: { correct: ["q2-a", "q2-b"], explanationHtml: "Both help." },
        },
      },
    });

    const ack = out.islands[1]!;
    if (ack.kind !== "acknowledge") throw new Error("expected an acknowledgement");
    expect(ack.statementHtml).toBe("I have read the <strong>policy</strong> &amp; agree.");
    expect(ack.statementText).toBe("I have read the policy & agree.");

    // The public parts never carry the answer key.
    const publicJson = JSON.stringify({ segments: out.segments, islands: out.islands });
    expect(publicJson).not.toContain("EXPLAIN-MARKER-7f3a");
    expect(publicJson).not.toContain('"correct"');
    // The correct choice's own text is public (it is a choice), but nothing marks it as correct.
    expect(publicJson).toContain("CORRECT-MARKER-7f3a");
  });

  test("the correct choice is indistinguishable from the others in public data", async () => {
    const out = await compileMdx(`${HEAD}\n${QUIZ}\n`, { file: "q.mdx" });
    const quiz = out.islands[0]!;
    if (quiz.kind !== "quiz") throw new Error("expected a quiz");
    for (const q of quiz.questions)
      for (const c of q.choices) expect(Object.keys(c).sort()).toEqual(["html", "id"]);
    expect(Object.keys(quiz).sort()).toEqual(["id", "kind", "passMark", "questions"]);
  });

  test("ids are deterministic across recompiles and default passMark is 0.8", async () => {
    const source = `${HEAD}\n<Quiz>\n<Question prompt="P">\n  <Choice>a</Choice>\n  <Choice correct>b</Choice>\n  <Explanation>e</Explanation>\n</Question>\n</Quiz>\n`;
    const a = await compileMdx(source, { file: "a.mdx" });
    const b = await compileMdx(`${source}\nMore text.\n`, { file: "a.mdx" });
    expect(a.islands).toEqual(b.islands);
    expect(a.answerKey["quiz-1"]!.passMark).toBe(0.8);
  });

  test("assessedHash ignores a typo fix outside the quiz or in an explanation, and changes with a quiz edit", async () => {
    const base = `${HEAD}\nCustmers are important.\n\n${QUIZ}\n\n<Acknowledge>I agree.</Acknowledge>\n`;
    const typoFixed = base.replace("Custmers", "Customers");
    const quizEdited = base.replace("Within a week", "Within a fortnight");
    const keyEdited = base.replace(
      "<Choice>Ignoring them</Choice>",
      "<Choice correct>Ignoring them</Choice>",
    );
    const passMarkEdited = base.replace("passMark={0.5}", "passMark={0.6}");
    const explanationEdited = base.replace("Both help.", "Both of them help.");
    const ackEdited = base.replace("I agree.", "I agree to all of it.");
    const [a, b, c, d, e, f, g] = await Promise.all(
      [base, typoFixed, quizEdited, keyEdited, passMarkEdited, explanationEdited, ackEdited].map(
        (s) => compileMdx(s, { file: "h.mdx" }),
      ),
    );
    expect(b!.assessedHash).toBe(a!.assessedHash);
    expect(b!.segments).not.toEqual(a!.segments);
    // Explanations teach; they are not assessed.
    expect(f!.assessedHash).toBe(a!.assessedHash);
    expect(f!.answerKey).not.toEqual(a!.answerKey);
    for (const other of [c, d, e, g]) expect(other!.assessedHash).not.toBe(a!.assessedHash);
  });

  test("widget-free lessons and literal expressions compile", async () => {
    const out = await compileMdx(
      `${HEAD}\nText {"literal"} {42} {-1} {/* a comment */}\n\n<Figure src="https://example.com/a.png" alt="A" />\n`,
      {
        file: "l.mdx",
      },
    );
    expect(out.islands).toEqual([]);
    expect(out.segments[0]).toContain("Text literal 42 -1");
    expect(out.segments[0]).toContain(
      '<img class="figure__image" src="https://example.com/a.png" alt="A"',
    );
  });
});

describe("compileMdx refuses unsafe or broken content with file:line:col", () => {
  test("broken JSX surfaces the parser's position", async () => {
    const errors = await errorsOf(`${HEAD}\nText.\n\n<Callout type="tip">\nOops.\n</Calout>\n`);
    expect(where(errors)).toEqual(["sample.mdx:11:1"]);
    expect(errors[0]!.message).toMatch(/closing tag/);
  });

  test("bad YAML frontmatter surfaces the YAML parser's position", async () => {
    const errors = await errorsOf("---\nid: x\ntitle: [unclosed\nminutes: 5\n---\n\nText.\n");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.file).toBe("sample.mdx");
    expect(errors[0]!.line).toBeGreaterThanOrEqual(3);
    expect(errors[0]!.message).toMatch(/YAML/);
  });

  test("---js frontmatter is refused and never executed", async () => {
    (globalThis as Record<string, unknown>).__staffroomCanary = undefined;
    const errors = await errorsOf(
      '---js\n(globalThis.__staffroomCanary = "ran", { title: "x" })\n---\n\nText.\n',
    );
    expect(where(errors)).toEqual(["sample.mdx:1:4"]);
    expect(errors[0]!.message).toMatch(/---js/);
    expect((globalThis as Record<string, unknown>).__staffroomCanary).toBeUndefined();
    const javascript = await errorsOf("---javascript\n({})\n---\n");
    expect(javascript[0]!.message).toMatch(/---javascript/);
  });

  test("import and export", async () => {
    const errors = await errorsOf(
      `${HEAD}\nimport X from "./x.js"\n\nText.\n\nexport const y = 1\n`,
    );
    expect(where(errors)).toEqual(["sample.mdx:7:1", "sample.mdx:11:1"]);
    for (const e of errors) expect(e.message).toMatch(/import.*export/);
  });

  test("the {process.env} canary is refused and never rendered", async () => {
    process.env.STAFFROOM_TEST_SECRET = "CANARY-SECRET-91c4";
    try {
      const errors = await errorsOf(
        `${HEAD}\nHello {process.env.STAFFROOM_TEST_SECRET}.\n\n<Callout title={process.env.STAFFROOM_TEST_SECRET}>x</Callout>\n`,
      );
      expect(where(errors)).toEqual(["sample.mdx:7:7", "sample.mdx:9:10"]);
      expect(JSON.stringify(errors)).not.toContain("CANARY-SECRET-91c4");
    } finally {
      delete process.env.STAFFROOM_TEST_SECRET;
    }
  });

  test("non-literal expressions of every kind", async () => {
    const errors = await errorsOf(
      `${HEAD}\n{1 + 1}\n\n{(() => "x")()}\n\n<Figure src="https://e.com/a.png" alt={\`\${"a"}\`} />\n\n<Callout {...{type: "tip"}}>x</Callout>\n`,
    );
    expect(where(errors)).toEqual([
      "sample.mdx:7:1",
      "sample.mdx:9:1",
      "sample.mdx:11:35",
      "sample.mdx:13:10",
    ]);
  });

  test("<script>, <iframe>, <style>, <object>, <embed>", async () => {
    const errors = await errorsOf(
      `${HEAD}\n<script>alert(1)</script>\n\n<iframe src="https://e.com" />\n\n<style>{"p{}"}</style>\n\n<object data="x" />\n\nInline <embed src="x" /> too.\n`,
    );
    expect(where(errors)).toEqual([
      "sample.mdx:7:1",
      "sample.mdx:9:1",
      "sample.mdx:11:1",
      "sample.mdx:13:1",
      "sample.mdx:15:8",
    ]);
    expect(errors.map((e) => e.message).join("\n")).toMatch(/<script>.*\n.*<iframe>/);
  });

  test("on* attributes, on plain HTML and on components", async () => {
    const errors = await errorsOf(
      `${HEAD}\n<div onClick="alert(1)">x</div>\n\n<Callout type="tip" onMouseOver="x">y</Callout>\n`,
    );
    expect(where(errors)).toEqual(["sample.mdx:7:6", "sample.mdx:9:21"]);
    expect(errors[0]!.message).toMatch(/onClick/);
  });

  test("javascript:, data: and vbscript: URLs in links, images and attributes", async () => {
    const errors = await errorsOf(
      `${HEAD}\n[click](javascript:alert(1))\n\n![x](data:image/png;base64,AAAA)\n\n<a href="&#106;avascript:alert(1)">y</a>\n\n<Figure src="vbscript:x" alt="x" />\n\n[ref]: JAVASCRIPT:alert(1)\n`,
    );
    expect(where(errors)).toEqual([
      "sample.mdx:7:1",
      "sample.mdx:9:1",
      "sample.mdx:11:4",
      "sample.mdx:13:9",
      "sample.mdx:15:1",
    ]);
    for (const e of errors) expect(e.message).toMatch(/(javascript|data|vbscript):/);
  });

  test("a widget's malformed props are refused at check time, where the widget stands", async () => {
    const errors = await errorsOf(
      `${HEAD}\nText.\n\n<MythOrFact statements={[{"text": "Only one", "fact": "yes"}]} />\n`,
    );
    expect(where(errors)).toEqual(["sample.mdx:9:1", "sample.mdx:9:1"]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^`<MythOrFact>`: `statements` needs at least 2 entries/),
      expect.stringMatching(/^`<MythOrFact>`: Statement 1 needs "fact": true or false/),
    ]);
  });

  test("unknown elements and unknown or mistyped props", async () => {
    const errors = await errorsOf(
      `${HEAD}\n<Foo />\n\n<Figure src="https://e.com/a.png" alt="a" width={3} />\n\n<Callout type="danger">x</Callout>\n\n<div style={{color: "red"}}>x</div>\n`,
    );
    expect(where(errors)).toEqual([
      "sample.mdx:7:1",
      "sample.mdx:9:43",
      "sample.mdx:11:10",
      "sample.mdx:13:6",
    ]);
    expect(errors[1]!.message).toMatch(/no prop `width`/);
    expect(errors[2]!.message).toMatch(/one of "tip", "warning", "info"/);
  });

  test("islands must be top level", async () => {
    const errors = await errorsOf(
      `${HEAD}\n<Callout type="info">\n${QUIZ}\n</Callout>\n\n- item <Acknowledge>x</Acknowledge>\n`,
    );
    expect(where(errors)).toEqual(["sample.mdx:8:1", "sample.mdx:23:8"]);
    expect(errors[0]!.message).toMatch(/top level.*<Callout>/);
  });

  test("quiz structure: choices, correct answers, one explanation", async () => {
    const errors = await errorsOf(
      `${HEAD}\n<Quiz>\n<Question prompt="One choice">\n  <Choice correct>a</Choice>\n  <Explanation>e</Explanation>\n</Question>\n<Question prompt="None correct">\n  <Choice>a</Choice>\n  <Choice>b</Choice>\n  <Explanation>e</Explanation>\n</Question>\n<Question prompt="Two explanations">\n  <Choice>a</Choice>\n  <Choice correct>b</Choice>\n  <Explanation>e</Explanation>\n  <Explanation>f</Explanation>\n</Question>\n<Question>\n  <Choice>a</Choice>\n  <Choice correct>b</Choice>\n  <Explanation>e</Explanation>\n</Question>\n</Quiz>\n\n<Choice>stray</Choice>\n`,
    );
    expect(errors.map((e) => `${e.line}:${e.column}`)).toEqual([
      "8:1",
      "12:1",
      "17:1",
      "23:1",
      "30:1",
    ]);
    const messages = errors.map((e) => e.message);
    expect(messages[0]).toMatch(/at least 2 `<Choice>`/);
    expect(messages[1]).toMatch(/at least one `<Choice correct>`/);
    expect(messages[2]).toMatch(/exactly one `<Explanation>`, found 2/);
    expect(messages[3]).toMatch(/needs a `prompt` prop/);
    expect(messages[4]).toMatch(/only allowed directly inside `<Question>`/);
  });

  test("every error in a file is reported, not just the first", async () => {
    const errors = await errorsOf(
      `${HEAD}\nimport a from "b"\n\n<script />\n\n{x}\n\n<div onClick="y">z</div>\n`,
    );
    expect(errors).toHaveLength(4);
  });

  test("a source over the size cap is refused at 1:1", async () => {
    const errors = await errorsOf(`${HEAD}\n${"a".repeat(MAX_SOURCE_BYTES)}\n`);
    expect(where(errors)).toEqual(["sample.mdx:1:1"]);
    expect(errors[0]!.message).toMatch(/too large/);
  });
});

describe("the compile queue", () => {
  test("one compile at a time, process-wide", async () => {
    resetCompileStats();
    const before = compileStats().compiles;
    const sources = Array.from(
      { length: 6 },
      (_, i) => `${HEAD}\nLesson number ${i}.\n\n${QUIZ}\n`,
    );
    const results = await Promise.allSettled(
      sources.map((s, i) => compileMdx(s, { file: `c${i}.mdx` })),
    );
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const stats = compileStats();
    expect(stats.compiles - before).toBe(6);
    expect(stats.maxActive).toBe(1);
    expect(stats.active).toBe(0);
  });

  test("identical concurrent requests share one compile; the key covers the source", async () => {
    const source = `${HEAD}\nShared ${Date.now()}.\n`;
    const before = compileStats().compiles;
    const [a, b] = await Promise.all([
      compileMdx(source, { file: "s.mdx" }),
      compileMdx(source, { file: "s.mdx" }),
    ]);
    expect(a).toBe(b);
    expect(compileStats().compiles - before).toBe(1);
    expect(compileKey(source)).toMatch(/^[0-9a-f]{64}$/);
    expect(compileKey(`${source} `)).not.toBe(compileKey(source));
  });
});

describe("LessonBody", () => {
  test("renders segments and island forms without the answer key", async () => {
    const source = `${HEAD}\nIntro text.\n\n${QUIZ}\n\n<Acknowledge>I agree.</Acknowledge>\n\nOutro.\n`;
    const { segments, islands } = await compileMdx(source, { file: "b.mdx" });
    const html = renderToStaticMarkup(
      createElement(LessonBody, { rendered: { segments, islands } }),
    );
    expect(html).toContain("Intro text.");
    expect(html).toContain("Outro.");
    expect(html).toContain('<input type="hidden" name="intent" value="quiz"/>');
    expect(html).toContain('<input type="hidden" name="quiz" value="quiz-1"/>');
    expect(html).toMatch(/type="radio" name="q1"[^>]*value="q1-a"/);
    expect(html).toMatch(/type="checkbox" name="q2"[^>]*value="q2-a"/);
    expect(html).toContain('<input type="hidden" name="intent" value="acknowledge"/>');
    expect(html).toContain('<input type="hidden" name="island" value="ack-1"/>');
    expect(html).toContain("<legend");
    expect(html).not.toContain("EXPLAIN-MARKER-7f3a");
    expect(html).not.toContain("staffroom-island");

    const graded = renderToStaticMarkup(
      createElement(LessonBody, {
        rendered: { segments, islands },
        versionId: 7,
        quizResult: {
          quizId: "quiz-1",
          error: null,
          result: {
            score: 0.5,
            passed: true,
            passMark: 0.5,
            reveal: "review",
            questions: [
              {
                id: "q1",
                correct: true,
                explanationHtml: "Shown after grading.",
                selected: ["q1-b"],
              },
              { id: "q2", correct: false, explanationHtml: "Both help.", selected: ["q2-a"] },
            ],
          },
        },
        acknowledged: { "ack-1": "2025-01-02T03:04:05.000Z" },
      }),
    );
    expect(graded).toContain("You scored 50%. You passed.");
    expect(graded).toContain('<input type="hidden" name="version" value="7"/>');
    expect(graded).toContain("Shown after grading.");
    expect(/<input id="quiz-1-q1-b"[^>]*>/.exec(graded)?.[0]).toContain('checked=""');
    expect(/<input id="quiz-1-q1-a"[^>]*>/.exec(graded)?.[0]).not.toContain("checked");
    expect(graded).toContain("You confirmed this on");
    expect(graded).not.toContain('value="acknowledge"');
  });
});
