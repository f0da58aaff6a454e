import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleMDX } from "mdx-bundler";
import { describe, expect, test } from "vitest";
import { MdxError, compileMdx, type SourceError } from "~/services/mdx-compile.server";
import { grayMatterOptions } from "~/services/mdx/frontmatter.server";
import { hostileLessons } from "../helpers/hostile-courses";

// S10: MDX and frontmatter cannot run code or inject HTML.

const HEAD = "---\nid: sample\ntitle: Sample\nminutes: 5\n---\n";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-s10-"));

async function errorsOf(source: string, file = "s.mdx"): Promise<SourceError[]> {
  const error = await compileMdx(source, { file }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MdxError)) throw new Error(`expected an MdxError, got ${String(error)}`);
  return error.errors;
}

const located = (errors: SourceError[]) =>
  errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`);

describe("frontmatter engines", () => {
  test("S10 `---js`, `---javascript` and `---coffee` after any number of byte-order marks are refused and never run", async () => {
    const canary = path.join(tmp, "bom-canary");
    const code = `require("node:fs").writeFileSync(${JSON.stringify(canary)}, "ran")`;
    for (const [prefix, lang] of [
      ["", "js"],
      ["\uFEFF", "js"],
      ["\uFEFF\uFEFF", "js"],
      ["\uFEFF".repeat(7), "javascript"],
      ["\u200B\uFEFF\u2060", "js"],
      ["\uFEFF\uFEFF", "coffee"],
      ["\uFEFF\uFEFF", " js "],
    ] as const) {
      const errors = await errorsOf(`${prefix}---${lang}\n${code}\n---\n\nText.\n`);
      expect(located(errors)).toEqual([
        `s.mdx:1:4 \`---${lang.trim()}\` frontmatter is not allowed: only YAML frontmatter (\`---\`) is`,
      ]);
    }
    expect(fs.existsSync(canary)).toBe(false);
  });

  test("S10 gray-matter inside mdx-bundler has no engine that runs code, even if handed frontmatter", async () => {
    const canary = path.join(tmp, "gray-matter-canary");
    for (const lang of ["js", "javascript", "coffee", "yaml", ""]) {
      const source = `---${lang}\nrequire("node:fs").writeFileSync(${JSON.stringify(canary)}, "ran")\n---\n\nText.\n`;
      await expect(bundleMDX({ source, grayMatterOptions })).rejects.toThrow(
        /only Staffroom's YAML reader may parse it/,
      );
    }
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe("YAML frontmatter", () => {
  test("S10 aliases (billion laughs), tags and prototype keys are refused at their line and column", async () => {
    const bomb = hostileLessons(path.join(tmp, "unused"))["02-alias-bomb.mdx"];
    expect(located(await errorsOf(bomb.source))).toContain(`s.mdx${bomb.at}`);

    const errors = await errorsOf(
      "---\nid: tags\ntitle: !!js/function 'function () { return 1 }'\nminutes: !custom 5\n" +
        "summary: !!str plain\n__proto__:\n  polluted: yes\nconstructor: x\n---\n\nText.\n",
    );
    expect(located(errors)).toEqual([
      "s.mdx:3:8 YAML tags (`!!js/function`) are not allowed in frontmatter",
      "s.mdx:4:10 YAML tags (`!custom`) are not allowed in frontmatter",
      "s.mdx:5:10 YAML tags (`!!str`) are not allowed in frontmatter",
      "s.mdx:6:1 frontmatter key `__proto__` is not allowed",
      "s.mdx:8:1 frontmatter key `constructor` is not allowed",
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("expressions and URLs", () => {
  test("S10 the {process.env…} canary is refused wherever it is written and never rendered", async () => {
    process.env.STAFFROOM_S10_CANARY = "CANARY-VALUE-5e1d";
    try {
      const errors = await errorsOf(
        `${HEAD}\nHello {process.env.STAFFROOM_S10_CANARY}.\n\n` +
          `<Callout title={process.env.STAFFROOM_S10_CANARY}>x</Callout>\n\n` +
          `<a href={process.env.STAFFROOM_S10_CANARY}>y</a>\n\n` +
          `<MythOrFact statements={[{"text": process.env.STAFFROOM_S10_CANARY, "fact": true}]} />\n`,
      );
      expect(errors.map((e) => `${e.line}:${e.column}`)).toEqual(["7:7", "9:10", "11:4", "13:13"]);
      expect(JSON.stringify(errors)).not.toContain("CANARY-VALUE-5e1d");

      // As text, in code, it is just text.
      const out = await compileMdx(
        `${HEAD}\nThe server reads \`process.env.STAFFROOM_S10_CANARY\`.\n`,
        {
          file: "s.mdx",
        },
      );
      expect(out.segments.join("")).toContain("<code>process.env.STAFFROOM_S10_CANARY</code>");
      expect(JSON.stringify(out)).not.toContain("CANARY-VALUE-5e1d");
    } finally {
      delete process.env.STAFFROOM_S10_CANARY;
    }
  });

  test("S10 the data: check applies to URL-valued props only: a title starting with “Data:” is text", async () => {
    const out = await compileMdx(
      `${HEAD}\n<Callout type="info" title="Data: what we keep">Only what we need.</Callout>\n\n` +
        `<Figure src="https://example.com/a.png" alt="JavaScript: a language" caption="Data: a chart" />\n`,
      { file: "s.mdx" },
    );
    expect(out.segments.join("")).toContain("Data: what we keep");

    const errors = await errorsOf(
      `${HEAD}\n[a](data:text/html,<script>alert(1)</script>)\n\n` +
        `<Figure src="data:image/png;base64,AAAA" alt="x" />\n\n<a href=" Data:text/html,x">b</a>\n`,
    );
    expect(located(errors)).toEqual([
      "s.mdx:7:1 `data:` URLs are not allowed",
      "s.mdx:9:9 `src` on `<Figure>` must be an image URL: `data:` URLs are not allowed",
      "s.mdx:11:4 `data:` URLs are not allowed",
    ]);
  });
});

describe("compile limits", () => {
  test("S10 deep nesting fails fast with its line and column: blockquotes, lists, elements, emphasis, links", async () => {
    const nested = hostileLessons(path.join(tmp, "unused"))["03-nested.mdx"];
    expect(located(await errorsOf(nested.source))).toEqual([`s.mdx${nested.at}`]);
    const cases: [string, string][] = [
      ["- ".repeat(5000) + "x", "7:65 nested too deeply (5000 levels"],
      ["<div>".repeat(5000) + "x" + "</div>".repeat(5000), "7:161 nested too deeply (5000 levels"],
      [
        "<div>\n".repeat(500) + "x\n" + "</div>\n".repeat(500),
        "39:1 nested too deeply (500 levels",
      ],
      ["*a ".repeat(5000) + "x" + " a*".repeat(5000), "7:97 nested too deeply (5000 levels"],
      ["[".repeat(5000) + "x" + "](y)".repeat(5000), "7:33 nested too deeply (5000 levels"],
      ["{" + "[".repeat(5000) + "]".repeat(5000) + "}", "7:33 nested too deeply (5001 levels"],
      // Indented lists are only seen by the parsed-tree check.
      [
        Array.from({ length: 300 }, (_, i) => `${"  ".repeat(i)}- a`).join("\n"),
        "39:65 nested too deeply (300 levels",
      ],
    ];
    for (const [body, where] of cases) {
      const errors = await errorsOf(`${HEAD}\n${body}\n`);
      expect(located(errors)).toEqual([
        expect.stringContaining(`s.mdx:${where}; the limit is 32)`),
      ]);
    }
  });

  test("S10 a compile past its time limit is stopped with a clear message; the next compile works", async () => {
    const source = `${HEAD}\nA lesson that takes longer than a millisecond to compile.\n`;
    const stopped = await compileMdx(`${source}\nStopped.\n`, {
      file: "t.mdx",
      timeLimitMs: 1,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(MdxError);
    expect(located((stopped as MdxError).errors)).toEqual([
      "t.mdx:1:1 took longer than 0.001 s to compile and was stopped: simplify the file (very long or deeply nested content)",
    ]);
    const after = await compileMdx(`${source}\nAfter.\n`, { file: "t.mdx" });
    expect(after.segments.join("")).toContain("After.");
  });
});
