import { SortExercise, type SortItem } from "./SortExercise";
import { WidgetProblem, optionalText, parseSortList, unknownKeys } from "./common";

/*
 * "What does the customer look for on our homepage?" For each candidate piece of homepage content
 * the learner chooses "Customer looks for this" or "Company-centred" and gets the reason at once.
 *
 * MDX:
 *   <HomepageSort
 *     title="Harbour Knitwear's homepage"
 *     items={[
 *       {"label": "Prices next to each product", "customerWants": true, "why": "…"},
 *       {"label": "The company history since 1962", "customerWants": false, "why": "…"}
 *     ]}
 *   />
 * Props: items (required, 2–30 entries: label text, customerWants true/false, optional why),
 * title and intro (optional text).
 */

const NAME = "HomepageSort";
const EXAMPLE = `<${NAME} items={[{"label": "Delivery costs", "customerWants": true, "why": "…"}]} />`;
const SORT_LIST = {
  listKey: "items",
  textKey: "label",
  answerKey: "customerWants",
  noun: "Card",
  plural: "cards",
  max: 30,
  maxText: 200,
};

export interface HomepageSortData {
  title: string;
  intro?: string;
  items: SortItem[];
}

/** Checks the props written in MDX; returns the data to render or the problems found. */
export function parseHomepageSortProps(props: Record<string, unknown>): {
  data?: HomepageSortData;
  problems: string[];
} {
  const problems: string[] = [];
  unknownKeys(props, ["title", "intro", "items"], `<${NAME}>`, problems);
  const title =
    optionalText(props, "title", problems) ?? "What does the customer look for on the homepage?";
  const intro = optionalText(props, "intro", problems, 500);
  const items = parseSortList(props, SORT_LIST, problems);
  if (problems.length > 0) return { problems };
  return { data: { title, intro, items }, problems };
}

export function HomepageSort(props: Record<string, unknown>) {
  const { data, problems } = parseHomepageSortProps(props);
  if (!data) return <WidgetProblem widget={NAME} problems={problems} example={EXAMPLE} />;
  return (
    <SortExercise
      widget={NAME}
      title={data.title}
      intro={data.intro}
      items={data.items}
      yes={{ label: "Customer looks for this", verdict: "customers look for this" }}
      no={{ label: "Company-centred", verdict: "this is mainly about the company" }}
    />
  );
}
