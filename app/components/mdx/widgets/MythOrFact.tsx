import { SortExercise, type SortItem } from "./SortExercise";
import { WidgetProblem, isRecord, optionalText, unknownKeys } from "./common";

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
const ITEM_KEYS = ["text", "fact", "why"] as const;

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
  const raw = props.statements;
  const items: SortItem[] = [];
  if (!Array.isArray(raw)) {
    problems.push(
      '`statements` is missing or is not a list: write statements={[ … ]} with one {"text": …, "fact": …} per statement.',
    );
  } else {
    if (raw.length < 2)
      problems.push(`\`statements\` needs at least 2 entries (it has ${raw.length}).`);
    if (raw.length > 20) problems.push(`\`statements\` has ${raw.length} entries; at most 20.`);
    raw.slice(0, 20).forEach((entry, i) => {
      const where = `Statement ${i + 1}`;
      if (!isRecord(entry)) {
        problems.push(`${where} must be {"text": "…", "fact": true or false}.`);
        return;
      }
      unknownKeys(entry, ITEM_KEYS, where, problems);
      const text = typeof entry.text === "string" ? entry.text.trim() : "";
      if (!text) problems.push(`${where} needs a "text".`);
      else if (text.length > 300)
        problems.push(`${where}: "text" is too long (at most 300 characters).`);
      if (typeof entry.fact !== "boolean")
        problems.push(`${where} needs "fact": true or false (no quotes around true/false).`);
      if (entry.why !== undefined && typeof entry.why !== "string")
        problems.push(`${where}: "why" must be text.`);
      if (text && typeof entry.fact === "boolean") {
        const why =
          typeof entry.why === "string" && entry.why.trim() ? entry.why.trim() : undefined;
        items.push({ text, answer: entry.fact, why });
      }
    });
  }
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
