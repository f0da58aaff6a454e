import { useId, useState } from "react";
import {
  WidgetProblem,
  optionalText,
  parseSortList,
  unknownKeys,
  type SortListSpec,
} from "./common";

/*
 * A two-way sorting exercise with buttons instead of drag and drop: each card gets two buttons,
 * the learner picks one, and sees at once whether it matches the suggested answer and why.
 * Used by HomepageSort and MythOrFact. Nothing is recorded or graded: it is a thinking aid.
 */

export interface SortItem {
  text: string;
  /** true = the "yes" side (e.g. "Customer looks for this", "Fact"). */
  answer: boolean;
  why?: string;
}

export interface SortSide {
  /** Button text, e.g. "Customer looks for this". */
  label: string;
  /** What the suggested answer is called in feedback, e.g. "customers look for this". */
  verdict: string;
}

export interface SortExerciseProps {
  widget: string;
  title: string;
  intro?: string;
  items: SortItem[];
  yes: SortSide;
  no: SortSide;
  /** Show the "no" button first (e.g. "Myth" before "Fact"). */
  noFirst?: boolean;
}

type Pick = boolean | null;

export function SortExercise({
  widget,
  title,
  intro,
  items,
  yes,
  no,
  noFirst = false,
}: SortExerciseProps) {
  const baseId = useId();
  const [picks, setPicks] = useState<Pick[]>(() => items.map(() => null));
  const [announcement, setAnnouncement] = useState("");

  const sorted = picks.filter((p) => p !== null).length;
  const matched = picks.filter((p, i) => p !== null && p === items[i]?.answer).length;
  const allDone = sorted === items.length;

  let status: string;
  if (sorted === 0) {
    status = `${items.length} cards to sort. Choose a button for each card.`;
  } else if (allDone) {
    status = `All ${items.length} sorted: ${matched} of ${items.length} match the suggested answer.`;
  } else {
    status = `${sorted} of ${items.length} sorted, ${matched} matching the suggested answer.`;
  }

  function choose(index: number, value: boolean) {
    const item = items[index];
    if (!item) return;
    const next = picks.map((p, i) => (i === index ? value : p));
    setPicks(next);
    const right = value === item.answer;
    const verdict = item.answer ? yes.verdict : no.verdict;
    const done = next.filter((p) => p !== null).length;
    const score = next.filter((p, i) => p !== null && p === items[i]?.answer).length;
    setAnnouncement(
      `${right ? "Yes" : "Think again"}: ${verdict}. ${item.why ?? ""} ` +
        (done === items.length
          ? `All sorted: ${score} of ${items.length} match.`
          : `${done} of ${items.length} sorted.`),
    );
  }

  function reset() {
    setPicks(items.map(() => null));
    setAnnouncement("Cleared. Start again from the first card.");
  }

  const titleId = `${baseId}-title`;
  return (
    <section
      className={`widget widget-sort${allDone ? " widget-sort--done" : ""}`}
      data-widget={widget}
      aria-labelledby={titleId}
    >
      <h3 className="widget__title" id={titleId}>
        {title}
      </h3>
      {intro ? <p className="widget__intro">{intro}</p> : null}
      <p className="widget__status" data-testid="widget-status">
        {status}
      </p>
      <ol className="widget-sort__items">
        {items.map((item, i) => {
          const pick = picks[i] ?? null;
          const right = pick !== null && pick === item.answer;
          const textId = `${baseId}-item-${i}`;
          const feedbackId = `${baseId}-feedback-${i}`;
          const state =
            pick === null ? "" : right ? " widget-sort__item--right" : " widget-sort__item--wrong";
          return (
            <li key={i} className={`widget-sort__item${state}`}>
              <p className="widget-sort__text" id={textId}>
                {item.text}
              </p>
              <div
                className="widget-sort__choices"
                role="group"
                aria-labelledby={textId}
                aria-describedby={pick !== null ? feedbackId : undefined}
              >
                {(noFirst ? [false, true] : [true, false]).map((value) => (
                  <button
                    key={String(value)}
                    type="button"
                    className="widget-button widget-sort__choice"
                    aria-pressed={pick === value}
                    onClick={() => choose(i, value)}
                  >
                    {value ? yes.label : no.label}
                  </button>
                ))}
              </div>
              {pick !== null ? (
                <p className="widget-sort__feedback" id={feedbackId}>
                  <strong className="widget-sort__verdict">
                    {right ? "✓ Yes" : "✗ Think again"}: {item.answer ? yes.verdict : no.verdict}.
                  </strong>{" "}
                  {item.why}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      <div className="widget__actions">
        <button
          type="button"
          className="widget-button widget-button--quiet"
          onClick={reset}
          disabled={sorted === 0}
        >
          Start again
        </button>
      </div>
      <p className="widget-sr-only" aria-live="polite" role="status">
        {announcement}
      </p>
    </section>
  );
}

export interface SortWidgetConfig {
  name: string;
  /** Shown to course authors beside any problem with the props. */
  example: string;
  defaultTitle: string;
  list: SortListSpec;
  yes: SortSide;
  no: SortSide;
  noFirst?: boolean;
}

/** A sorting widget from its MDX vocabulary: its prop check and its component. */
export function sortWidget(config: SortWidgetConfig) {
  const { name, example, defaultTitle, list, ...sides } = config;
  function parseProps(props: Record<string, unknown>) {
    const problems: string[] = [];
    unknownKeys(props, ["title", "intro", list.listKey], `<${name}>`, problems);
    const title = optionalText(props, "title", problems) ?? defaultTitle;
    const intro = optionalText(props, "intro", problems, 500);
    const items = parseSortList(props, list, problems);
    return problems.length > 0 ? { problems } : { data: { title, intro, items }, problems };
  }
  function Widget(props: Record<string, unknown>) {
    const { data, problems } = parseProps(props);
    if (!data) return <WidgetProblem widget={name} problems={problems} example={example} />;
    return <SortExercise widget={name} {...data} {...sides} />;
  }
  Widget.displayName = name;
  return { Widget, parseProps };
}
