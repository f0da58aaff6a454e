/*
 * Helpers shared by the lesson widgets. Widgets receive nothing but JSON props written as
 * literals in MDX, so every widget checks its props itself and, when they are malformed, renders
 * a message that tells the course author what to fix instead of failing the whole lesson.
 * Client-safe: no server imports, no network.
 */

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
