import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { syncCourses } from "~/services/courses.server";
import { migratedDatabase } from "../helpers/db";
import type { Browser } from "../helpers/http";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// S10 through the lesson editor: every construct the MDX checks refuse (test/mdx-compile.test.ts
// and s10-mdx-content.test.ts), typed into the editor and sent to its live preview, is refused
// at its line and column, and nothing of it runs or reaches the page.

const CANARY_VALUE = "EDITOR-CANARY-4b7e";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-s10-editor-"));
const canaryFile = path.join(tmp, "ran");
const HEAD = "---\nid: check\ntitle: Check\nminutes: 5\n---\n";
const run = `require("node:fs").writeFileSync(${JSON.stringify(canaryFile)}, "ran")`;

/** What an admin might type, and where the editor must point (line:column). */
const FORBIDDEN: [string, string, string[]][] = [
  ["`---js` frontmatter", `---js\n${run}\n---\n\nText.\n`, ["1:4"]],
  ["`---js` after two byte-order marks", `\uFEFF\uFEFF---js\n${run}\n---\n\nText.\n`, ["1:4"]],
  [
    "import and export",
    `${HEAD}\nimport X from "./x.js"\n\nText.\n\nexport const y = 1\n`,
    ["7:1", "11:1"],
  ],
  [
    "the {process.env} canary",
    `${HEAD}\nHello {process.env.STAFFROOM_EDITOR_CANARY}.\n\n<Callout title={process.env.STAFFROOM_EDITOR_CANARY}>x</Callout>\n`,
    ["7:7", "9:10"],
  ],
  [
    "expressions that run code",
    `${HEAD}\n{1 + 1}\n\n{(() => "x")()}\n\n<Callout {...{type: "tip"}}>x</Callout>\n`,
    ["7:1", "9:1", "11:10"],
  ],
  [
    "raw <script>, <iframe>, <style>, <object>, <embed>",
    `${HEAD}\n<script>alert(1)</script>\n\n<iframe src="https://e.com" />\n\n<style>{"p{}"}</style>\n\n<object data="x" />\n\nInline <embed src="x" /> too.\n`,
    ["7:1", "9:1", "11:1", "13:1", "15:8"],
  ],
  [
    "on* attributes",
    `${HEAD}\n<div onClick="alert(1)">x</div>\n\n<Callout type="tip" onMouseOver="x">y</Callout>\n`,
    ["7:6", "9:21"],
  ],
  [
    "javascript:, data: and vbscript: URLs",
    `${HEAD}\n[click](javascript:alert(1))\n\n![x](data:image/png;base64,AAAA)\n\n<a href="&#106;avascript:alert(1)">y</a>\n\n<Figure src="vbscript:x" alt="x" />\n`,
    ["7:1", "9:1", "11:4", "13:9"],
  ],
  [
    "YAML tags and prototype keys",
    "---\nid: check\ntitle: !!js/function 'function () { return 1 }'\nminutes: 5\n__proto__:\n  polluted: yes\n---\n\nText.\n",
    ["3:8", "5:1"],
  ],
  ["a misspelt component", `${HEAD}\nText.\n\n<Calout type="tip">x</Calout>\n`, ["9:1"]],
];

let server: RunningServer;
let admin: Browser;

beforeAll(async () => {
  await migratedDatabase();
  await seedPeople([{ key: "ada", name: "Ada Admin", admin: true }]);
  expect((await syncCourses("test/fixtures/courses-quiz")).errors).toEqual([]);
  server = await startServer({
    COURSES_DIR: "test/fixtures/courses-quiz",
    STAFFROOM_EDITOR_CANARY: CANARY_VALUE,
  });
  admin = await loggedIn(server.url, "ada");
});

afterAll(async () => {
  await server?.stop();
});

describe("S10 the editor's preview", () => {
  test.each(FORBIDDEN)(
    "S10 %s is refused at its line and column and nothing of it runs in the preview",
    async (_, source, at) => {
      const res = await admin.post("/admin/courses/safety/check/edit", {
        intent: "preview",
        source,
      });
      expect(res.status).toBe(200);
      const html = (await res.text()).replace(/<!-- -->/g, "");
      const listed = [...html.matchAll(/aria-label="Line (\d+), column (\d+): go there"/g)].map(
        (m) => `${m[1]}:${m[2]}`,
      );
      expect(listed).toEqual(at);
      expect(html).toContain("this draft cannot be published");
      // No preview is rendered from a refused source, and nothing in the page comes from it.
      expect(html).not.toContain('class="lesson-body"');
      expect(html).not.toContain(CANARY_VALUE);
      expect(html).not.toMatch(/<(script|iframe|object|embed|style)\b(?![^>]*nonce=)[^>]*>/i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/(href|src)="\s*(javascript|data|vbscript):/i);
      expect(fs.existsSync(canaryFile)).toBe(false);
    },
  );

  test("S10 an allowed lesson previews as the learner would see it, with no answer key", async () => {
    const source = fs.readFileSync("test/fixtures/courses-quiz/safety/02-check.mdx", "utf8");
    const res = await admin.post("/admin/courses/safety/check/edit", { intent: "preview", source });
    const html = await res.text();
    expect(html).toContain('class="lesson-body"');
    expect(html).toContain("Who may use the forklift?");
    expect(html).toContain("No problems found.");
    // The preview renders the quiz as learners get it: explanations stay on the server.
    const preview = html.slice(html.indexOf('id="preview-title"'), html.indexOf("</main>"));
    expect(preview).toContain("Who may use the forklift?");
    expect(preview).not.toContain("EXPLANATION-MARKER");
  });
});
