import { SortExercise, type SortItem } from "./SortExercise";
import { WidgetProblem, isRecord, optionalText, unknownKeys } from "./common";

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
const ITEM_KEYS = ["label", "customerWants", "why"] as const;

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
  const raw = props.items;
  const items: SortItem[] = [];
  if (!Array.isArray(raw)) {
    problems.push(
      '`items` is missing or is not a list: write items={[ … ]} with one {"label": …, "customerWants": …} per card.',
    );
  } else {
    if (raw.length < 2) problems.push(`\`items\` needs at least 2 cards (it has ${raw.length}).`);
    if (raw.length > 30)
      problems.push(`\`items\` has ${raw.length} cards; at most 30 fit on a phone screen.`);
    raw.slice(0, 30).forEach((entry, i) => {
      const where = `Card ${i + 1}`;
      if (!isRecord(entry)) {
        problems.push(`${where} must be {"label": "…", "customerWants": true or false}.`);
        return;
      }
      unknownKeys(entry, ITEM_KEYS, where, problems);
      const label = typeof entry.label === "string" ? entry.label.trim() : "";
      if (!label) problems.push(`${where} needs a "label" (the text on the card).`);
      else if (label.length > 200)
        problems.push(`${where}: "label" is too long (at most 200 characters).`);
      if (typeof entry.customerWants !== "boolean") {
        problems.push(
          `${where} needs "customerWants": true or false (no quotes around true/false).`,
        );
      }
      if (entry.why !== undefined && typeof entry.why !== "string")
        problems.push(`${where}: "why" must be text.`);
      if (label && typeof entry.customerWants === "boolean") {
        const why =
          typeof entry.why === "string" && entry.why.trim() ? entry.why.trim() : undefined;
        items.push({ text: label, answer: entry.customerWants, why });
      }
    });
  }
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
