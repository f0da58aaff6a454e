/*
 * Helpers shared by the lesson widgets. Widgets receive nothing but JSON props written as
 * literals in MDX, so every widget checks its props itself and, when they are malformed, renders
 * a message that tells the course author what to fix instead of failing the whole lesson.
 * Client-safe: no server imports, no network.
 */
import type { SortItem } from "./SortExercise";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an optional short text prop; records a problem when it has the wrong type or is too long. */
export function optionalText(
  props: Record<string, unknown>,
  key: string,
  problems: string[],
  maxLength = 200,
): string | undefined {
  const value = props[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    problems.push(`\`${key}\` must be text in quotes, for example ${key}="…".`);
    return undefined;
  }
  const text = value.trim();
  if (text.length > maxLength) {
    problems.push(`\`${key}\` is too long (${text.length} characters; at most ${maxLength}).`);
    return undefined;
  }
  return text || undefined;
}

/** Lists props the widget does not know, to catch typos such as `item=` for `items=`. */
export function unknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (key === "children") continue;
    if (!allowed.includes(key)) {
      problems.push(`${where} has an unknown field \`${key}\` (allowed: ${allowed.join(", ")}).`);
    }
  }
}

/** The shape of a list of true-or-false cards, as one widget names it in MDX. */
export interface SortListSpec {
  listKey: string;
  textKey: string;
  answerKey: string;
  /** What one entry is called in messages ("Card"), and several ("cards"). */
  noun: string;
  plural: string;
  max: number;
  maxText: number;
}

/** Checks a list of {text, true/false, why?} entries written in MDX; records every problem. */
export function parseSortList(
  props: Record<string, unknown>,
  spec: SortListSpec,
  problems: string[],
): SortItem[] {
  const { listKey, textKey, answerKey, noun, plural, max, maxText } = spec;
  const raw = props[listKey];
  const items: SortItem[] = [];
  if (!Array.isArray(raw)) {
    problems.push(
      `\`${listKey}\` is missing or is not a list: write ${listKey}={[ … ]} with one {"${textKey}": …, "${answerKey}": …} per ${noun.toLowerCase()}.`,
    );
    return items;
  }
  if (raw.length < 2)
    problems.push(`\`${listKey}\` needs at least 2 ${plural} (it has ${raw.length}).`);
  if (raw.length > max)
    problems.push(`\`${listKey}\` has ${raw.length} ${plural}; at most ${max}.`);
  raw.slice(0, max).forEach((entry, i) => {
    const where = `${noun} ${i + 1}`;
    if (!isRecord(entry)) {
      problems.push(`${where} must be {"${textKey}": "…", "${answerKey}": true or false}.`);
      return;
    }
    unknownKeys(entry, [textKey, answerKey, "why"], where, problems);
    const text = typeof entry[textKey] === "string" ? entry[textKey].trim() : "";
    const answer = entry[answerKey];
    if (!text) problems.push(`${where} needs a "${textKey}".`);
    else if (text.length > maxText)
      problems.push(`${where}: "${textKey}" is too long (at most ${maxText} characters).`);
    if (typeof answer !== "boolean") {
      problems.push(`${where} needs "${answerKey}": true or false (no quotes around true/false).`);
    }
    if (entry.why !== undefined && typeof entry.why !== "string")
      problems.push(`${where}: "why" must be text.`);
    if (text && typeof answer === "boolean") {
      const why = typeof entry.why === "string" && entry.why.trim() ? entry.why.trim() : undefined;
      items.push({ text, answer, why });
    }
  });
  return items;
}

/**
 * Formats an amount the same way on the server and in the browser (no locale lookup, so the
 * server-rendered HTML and the hydrated page always agree): 1234.5 → "1,234.50", 1200 → "1,200".
 */
export function formatAmount(amount: number, currency = ""): string {
  const negative = amount < 0;
  const abs = Math.abs(amount);
  const rounded = Math.round(abs * 100) / 100;
  const whole = Math.trunc(rounded);
  const cents = Math.round((rounded - whole) * 100);
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const text = cents === 0 ? grouped : `${grouped}.${String(cents).padStart(2, "0")}`;
  return `${negative ? "−" : ""}${currency}${text}`;
}

/** Parses what a learner typed as an amount: "1,150", "£1150", " 12.5 " → number; "" → 0. */
export function parseAmount(input: string): number | "invalid" {
  const cleaned = input.replace(/[\s,£$€¥]/g, "");
  if (cleaned === "") return 0;
  if (!/^\d+(?:\.\d+)?$|^\.\d+$/.test(cleaned)) return "invalid";
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : "invalid";
}

export interface WidgetProblemProps {
  widget: string;
  problems: string[];
  /** A short example of correct usage, shown to the author. */
  example?: string;
}

/** What a widget shows instead of itself when its props are malformed. */
export function WidgetProblem({ widget, problems, example }: WidgetProblemProps) {
  return (
    <div className="widget widget--problem" data-widget={widget} role="note">
      <p className="widget-problem__title">
        <strong>This exercise cannot be shown.</strong> It is optional: you can carry on with the
        lesson.
      </p>
      <details className="widget-problem__details">
        <summary>For the course author: what to fix in {`<${widget}>`}</summary>
        <ul>
          {problems.map((problem, i) => (
            <li key={i}>{problem}</li>
          ))}
        </ul>
        {example ? (
          <p>
            Example: <code>{example}</code>
          </p>
        ) : null}
      </details>
    </div>
  );
}
