import { describe, expect, test } from "vitest";
import { mdxRegistry } from "~/components/mdx";
import { SNIPPETS } from "~/components/mdx/snippets";
import { widgets } from "~/components/mdx/widgets";
import { compileMdx } from "~/services/mdx-compile.server";

// The editor's Insert menu: a snippet for every component a lesson may use, each valid as is.
describe("the editor's insert menu", () => {
  test("every registered component and widget has a snippet (quiz parts come inside the quiz)", () => {
    const standalone = Object.entries(mdxRegistry)
      .filter(([, spec]) => !("parent" in spec))
      .map(([name]) => name);
    expect(SNIPPETS.map((s) => s.name).sort()).toEqual(
      [...standalone, ...Object.keys(widgets)].sort(),
    );
    const quiz = SNIPPETS.find((s) => s.name === "Quiz")!.text;
    for (const part of ["<Question", "<Choice", "<Choice correct", "<Explanation"]) {
      expect(quiz).toContain(part);
    }
  });

  test.each(SNIPPETS.map((s) => [s.name, s.text]))(
    "the %s snippet compiles in a lesson with no error or warning",
    async (name, text) => {
      const out = await compileMdx(`---\nid: s\ntitle: S\nminutes: 5\n---\n\nIntro.\n\n${text}\n`, {
        file: "snippet.mdx",
      });
      expect(out.warnings).toEqual([]);
      // It renders something: an island of its kind, or HTML besides the intro.
      const island = out.islands[0];
      if (name in widgets) expect(island).toMatchObject({ kind: "widget", widget: name });
      else if (name === "Quiz" || name === "Acknowledge") {
        expect(island?.kind).toBe(name.toLowerCase());
      } else expect(out.segments.join("").replace("<p>Intro.</p>", "").trim()).not.toBe("");
    },
  );
});
