import fs from "node:fs";
import path from "node:path";

const lesson = (id: string, body: string) =>
  `---\nid: ${id}\ntitle: ${id}\nminutes: 5\n---\n\n${body}`;

/**
 * Lesson files that tried to run code or stop the server (issue 10), by file name, with where
 * `courses check` must report each one. `canary` is a file the `---js` frontmatter would write.
 */
export function hostileLessons(canary: string) {
  const nestedQuotes = ">".repeat(199 * 1024 - 80);
  return {
    // Two byte-order marks: gray-matter stripped one more than Staffroom did, then evaluated.
    "01-double-bom-js.mdx": {
      source: `\uFEFF\uFEFF---js\nrequire("node:fs").writeFileSync(${JSON.stringify(canary)}, "ran"), { id: "x", title: "x", minutes: 1 }\n---\n\nText.\n`,
      at: ":1:4 `---js` frontmatter is not allowed",
    },
    // Billion laughs: nine levels of nine aliases each.
    "02-alias-bomb.mdx": {
      source: `---\nid: alias-bomb\ntitle: Bomb\nminutes: 5\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n${"bcdefghi"
        .split("")
        .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`)
        .join("\n")}\n---\n\nText.\n`,
      at: ":6:8 YAML aliases such as `*a` are not allowed in frontmatter (72 in this file)",
    },
    // 199 KB of nested blockquotes: minutes in the Markdown parser, then a stack overflow.
    "03-nested.mdx": {
      source: lesson("nested", `${nestedQuotes} deep\n`),
      at: `:7:33 nested too deeply (${nestedQuotes.length} levels; the limit is 32)`,
    },
    // A prototype key; its position used to print as [object Object].
    "04-proto-key.mdx": {
      source: `---\nid: proto-key\ntitle: Proto\nminutes: 5\n__proto__:\n  polluted: yes\n---\n\nText.\n`,
      at: ":5:1 frontmatter key `__proto__` is not allowed",
    },
  };
}

/** Writes a course folder `hostile` with those lessons (and a valid course.mdx) under `dir`. */
export function writeHostileCourse(dir: string, canary: string) {
  const course = path.join(dir, "hostile");
  fs.mkdirSync(course, { recursive: true });
  fs.writeFileSync(
    path.join(course, "course.mdx"),
    "---\ntitle: Hostile\nsummary: Files that tried to break out.\norder: 9\n---\n\nIntro.\n",
  );
  for (const [name, { source }] of Object.entries(hostileLessons(canary)))
    fs.writeFileSync(path.join(course, name), source);
}
