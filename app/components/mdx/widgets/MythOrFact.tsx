import { sortWidget } from "./SortExercise";

/*
 * A quick warm-up: the learner marks each statement "Myth" or "Fact" and sees the reason at once.
 *
 * MDX:
 *   <MythOrFact
 *     title="Myth or fact?"
 *     statements={[
 *       {"text": "Once the website is live, the hard work is done.", "fact": false, "why": "…"}
 *     ]}
 *   />
 * Props: statements (required, 2–20 entries: text, fact true/false, optional why),
 * title and intro (optional text).
 */

export const { Widget: MythOrFact, parseProps: parseMythOrFactProps } = sortWidget({
  name: "MythOrFact",
  example: `<MythOrFact statements={[{"text": "…", "fact": false, "why": "…"}]} />`,
  defaultTitle: "Myth or fact?",
  list: {
    listKey: "statements",
    textKey: "text",
    answerKey: "fact",
    noun: "Statement",
    plural: "entries",
    max: 20,
    maxText: 300,
  },
  yes: { label: "Fact", verdict: "it’s a fact" },
  no: { label: "Myth", verdict: "it’s a myth" },
  noFirst: true,
});
