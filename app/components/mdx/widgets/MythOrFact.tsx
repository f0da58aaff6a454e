import { SortExercise, type SortItem } from "./SortExercise";
import { WidgetProblem, optionalText, parseSortList, unknownKeys } from "./common";

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

const NAME = "MythOrFact";
const EXAMPLE = `<${NAME} statements={[{"text": "…", "fact": false, "why": "…"}]} />`;
const SORT_LIST = {
  listKey: "statements",
  textKey: "text",
  answerKey: "fact",
  noun: "Statement",
  plural: "entries",
  max: 20,
  maxText: 300,
};

export interface MythOrFactData {
  title: string;
  intro?: string;
  items: SortItem[];
}

/** Checks the props written in MDX; returns the data to render or the problems found. */
export function parseMythOrFactProps(props: Record<string, unknown>): {
  data?: MythOrFactData;
  problems: string[];
} {
  const problems: string[] = [];
  unknownKeys(props, ["title", "intro", "statements"], `<${NAME}>`, problems);
  const title = optionalText(props, "title", problems) ?? "Myth or fact?";
  const intro = optionalText(props, "intro", problems, 500);
  const items = parseSortList(props, SORT_LIST, problems);
  if (problems.length > 0) return { problems };
  return { data: { title, intro, items }, problems };
}

export function MythOrFact(props: Record<string, unknown>) {
  const { data, problems } = parseMythOrFactProps(props);
  if (!data) return <WidgetProblem widget={NAME} problems={problems} example={EXAMPLE} />;
  return (
    <SortExercise
      widget={NAME}
      title={data.title}
      intro={data.intro}
      items={data.items}
      yes={{ label: "Fact", verdict: "it’s a fact" }}
      no={{ label: "Myth", verdict: "it’s a myth" }}
      noFirst
    />
  );
}
