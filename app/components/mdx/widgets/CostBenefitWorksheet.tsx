import { useId, useState, type KeyboardEvent } from "react";
import {
  WidgetProblem,
  formatAmount,
  isRecord,
  optionalText,
  parseAmount,
  unknownKeys,
} from "./common";

/*
 * A cost-and-benefit worksheet: two lists of lines with an amount each, lines of the learner's
 * own, and a "Work it out" button that compares the totals and says what the result means.
 * Nothing is saved or graded.
 *
 * MDX:
 *   <CostBenefitWorksheet
 *     title="One month of the web shop"
 *     currency="£"
 *     period="month"
 *     costs={["Web shop subscription", {"label": "Courier charges", "amount": 1150, "hint": "…"}]}
 *     benefits={[{"label": "Profit on online sales", "amount": 3000}]}
 *   />
 * Props: costs and benefits (lists; each line is text or {"label", "amount"?, "hint"?};
 * at least one line in all, at most 30 per list), title, currency (up to 4 characters, e.g. "£"),
 * period (e.g. "month" → "per month").
 */

const NAME = "CostBenefitWorksheet";
const EXAMPLE = `<${NAME} currency="£" period="month" costs={["Courier charges", {"label": "Packaging", "amount": 120}]} benefits={["New customers"]} />`;
const LINE_KEYS = ["label", "amount", "hint"] as const;
const MAX_LINES = 30;

type Side = "costs" | "benefits";

interface LineSpec {
  label: string;
  amount?: number;
  hint?: string;
}

export interface CostBenefitData {
  title: string;
  currency: string;
  period?: string;
  costs: LineSpec[];
  benefits: LineSpec[];
}

function parseLines(raw: unknown, side: Side, problems: string[]): LineSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`\`${side}\` must be a list: ${side}={["First line", "Second line"]}.`);
    return [];
  }
  if (raw.length > MAX_LINES)
    problems.push(`\`${side}\` has ${raw.length} lines; at most ${MAX_LINES}.`);
  const lines: LineSpec[] = [];
  raw.slice(0, MAX_LINES).forEach((entry, i) => {
    const where = `Line ${i + 1} of \`${side}\``;
    if (typeof entry === "string") {
      const label = entry.trim();
      if (!label) problems.push(`${where} is empty.`);
      else if (label.length > 120) problems.push(`${where} is too long (at most 120 characters).`);
      else lines.push({ label });
      return;
    }
    if (!isRecord(entry)) {
      problems.push(`${where} must be text in quotes or {"label": "…", "amount": 100}.`);
      return;
    }
    unknownKeys(entry, LINE_KEYS, where, problems);
    const label = typeof entry.label === "string" ? entry.label.trim() : "";
    if (!label) {
      problems.push(`${where} needs a "label".`);
      return;
    }
    if (label.length > 120)
      problems.push(`${where}: "label" is too long (at most 120 characters).`);
    let amount: number | undefined;
    if (entry.amount !== undefined) {
      if (typeof entry.amount !== "number" || !Number.isFinite(entry.amount) || entry.amount < 0) {
        problems.push(
          `${where}: "amount" must be a number of zero or more, without quotes (for example 120).`,
        );
      } else amount = entry.amount;
    }
    let hint: string | undefined;
    if (entry.hint !== undefined) {
      if (typeof entry.hint !== "string") problems.push(`${where}: "hint" must be text.`);
      else hint = entry.hint.trim() || undefined;
    }
    lines.push({ label, amount, hint });
  });
  return lines;
}

/** Checks the props written in MDX; returns the data to render or the problems found. */
export function parseCostBenefitProps(props: Record<string, unknown>): {
  data?: CostBenefitData;
  problems: string[];
} {
  const problems: string[] = [];
  unknownKeys(props, ["title", "currency", "period", "costs", "benefits"], `<${NAME}>`, problems);
  const title = optionalText(props, "title", problems) ?? "Costs and benefits";
  const currency = optionalText(props, "currency", problems, 4) ?? "";
  const period = optionalText(props, "period", problems, 20);
  const costs = parseLines(props.costs, "costs", problems);
  const benefits = parseLines(props.benefits, "benefits", problems);
  if (props.costs === undefined && props.benefits === undefined) {
    problems.push("Give at least one of `costs` or `benefits`, each a list of lines.");
  }
  if (problems.length > 0) return { problems };
  return { data: { title, currency, period, costs, benefits }, problems };
}

interface Row {
  key: number;
  label: string;
  hint?: string;
  value: string;
  custom: boolean;
}

interface Rows {
  costs: Row[];
  benefits: Row[];
  nextKey: number;
}

function initialRows(data: CostBenefitData): Rows {
  let key = 0;
  const toRow = (line: LineSpec): Row => ({
    key: key++,
    label: line.label,
    hint: line.hint,
    value: line.amount === undefined ? "" : String(line.amount),
    custom: false,
  });
  const costs = data.costs.map(toRow);
  const benefits = data.benefits.map(toRow);
  return { costs, benefits, nextKey: key };
}

interface Totals {
  total: number;
  invalid: string[];
  largest?: { label: string; amount: number };
  entered: number;
}

function totalsOf(rows: Row[]): Totals {
  const out: Totals = { total: 0, invalid: [], entered: 0 };
  for (const row of rows) {
    const n = parseAmount(row.value);
    if (n === "invalid") {
      out.invalid.push(row.label);
      continue;
    }
    if (row.value.trim() !== "") out.entered++;
    out.total += n;
    if (n > 0 && (!out.largest || n > out.largest.amount))
      out.largest = { label: row.label, amount: n };
  }
  return out;
}

interface Result {
  lines: string[];
  tone: "good" | "thin" | "bad" | "neutral";
}

function workOut(data: CostBenefitData, rows: Rows): Result {
  const per = data.period ? ` per ${data.period}` : "";
  const money = (n: number) => formatAmount(n, data.currency);
  const costs = totalsOf(rows.costs);
  const benefits = totalsOf(rows.benefits);
  const invalid = [...costs.invalid, ...benefits.invalid];
  const lines: string[] = [];
  if (costs.entered + benefits.entered === 0) {
    lines.push("Enter at least one amount first, then press Work it out.");
    if (invalid.length)
      lines.push(
        `These amounts could not be read: ${invalid.join(", ")}. Use numbers only, such as 120 or 12.50.`,
      );
    return { lines, tone: "neutral" };
  }
  lines.push(`Costs: ${money(costs.total)}${per}. Benefits: ${money(benefits.total)}${per}.`);
  const net = benefits.total - costs.total;
  let tone: Result["tone"];
  if (net > 0) {
    lines.push(`The benefits are ${money(net)}${per} more than the costs.`);
    if (costs.total > 0 && net < costs.total * 0.1) {
      tone = "thin";
      lines.push(
        "That is a thin margin: a small rise in one cost, such as courier charges or returns, would wipe it out.",
      );
    } else {
      tone = "good";
      lines.push(
        "The benefits outweigh the costs, as long as every cost is counted. Is anything missing, such as staff time, packaging or returns?",
      );
    }
  } else if (net < 0) {
    tone = "bad";
    lines.push(`The costs are ${money(-net)}${per} more than the benefits.`);
    lines.push(
      "As it stands, this loses money. Which cost could you cut, or which benefit could you grow?",
    );
  } else {
    tone = "thin";
    lines.push("Costs and benefits are exactly equal: all that effort for nothing left over.");
  }
  if (costs.largest && costs.total > 0) {
    const share = Math.round((costs.largest.amount / costs.total) * 100);
    lines.push(`Your biggest cost is “${costs.largest.label}”: ${share}% of all costs.`);
  }
  if (invalid.length) {
    lines.push(
      `These amounts could not be read and were left out: ${invalid.join(", ")}. Use numbers only, such as 120 or 12.50.`,
    );
  }
  return { lines, tone };
}

export function CostBenefitWorksheet(props: Record<string, unknown>) {
  const { data, problems } = parseCostBenefitProps(props);
  if (!data) return <WidgetProblem widget={NAME} problems={problems} example={EXAMPLE} />;
  return <Worksheet data={data} />;
}

function Worksheet({ data }: { data: CostBenefitData }) {
  const baseId = useId();
  const [rows, setRows] = useState<Rows>(() => initialRows(data));
  const [result, setResult] = useState<Result | null>(null);
  const [stale, setStale] = useState(false);
  const [drafts, setDrafts] = useState<Record<Side, string>>({ costs: "", benefits: "" });
  const [addMessage, setAddMessage] = useState("");

  const per = data.period ? ` per ${data.period}` : "";

  function update(side: Side, key: number, value: string) {
    setRows((r) => ({
      ...r,
      [side]: r[side].map((row) => (row.key === key ? { ...row, value } : row)),
    }));
    if (result) setStale(true);
  }

  function add(side: Side) {
    const label = drafts[side].trim().slice(0, 120);
    if (!label) {
      setAddMessage(`Type a name for the new ${side === "costs" ? "cost" : "benefit"} first.`);
      return;
    }
    if (rows[side].length >= MAX_LINES) {
      setAddMessage(`There is room for at most ${MAX_LINES} lines.`);
      return;
    }
    setRows((r) => ({
      ...r,
      [side]: [...r[side], { key: r.nextKey, label, value: "", custom: true }],
      nextKey: r.nextKey + 1,
    }));
    setDrafts((d) => ({ ...d, [side]: "" }));
    setAddMessage(`Added “${label}” to ${side}. Enter its amount in the list.`);
    if (result) setStale(true);
  }

  function remove(side: Side, key: number) {
    const row = rows[side].find((r) => r.key === key);
    setRows((r) => ({ ...r, [side]: r[side].filter((x) => x.key !== key) }));
    if (row) setAddMessage(`Removed “${row.label}”.`);
    if (result) setStale(true);
  }

  function onDraftKey(side: Side, event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      add(side);
    }
  }

  function calculate() {
    setResult(workOut(data, rows));
    setStale(false);
  }

  function reset() {
    setRows(initialRows(data));
    setResult(null);
    setStale(false);
    setDrafts({ costs: "", benefits: "" });
    setAddMessage("Figures reset to the lesson's starting values.");
  }

  const titleId = `${baseId}-title`;
  const column = (side: Side) => {
    const list = rows[side];
    const totals = totalsOf(list);
    const noun = side === "costs" ? "cost" : "benefit";
    const heading = side === "costs" ? "Costs" : "Benefits";
    const draftId = `${baseId}-${side}-new`;
    return (
      <fieldset className={`widget-cb__column widget-cb__column--${side}`}>
        <legend className="widget-cb__legend">{heading}</legend>
        {list.length === 0 ? (
          <p className="widget-cb__empty">No {side} listed yet. Add your own below.</p>
        ) : null}
        <ul className="widget-cb__lines">
          {list.map((row) => {
            const inputId = `${baseId}-${side}-${row.key}`;
            const hintId = `${inputId}-hint`;
            const invalid = parseAmount(row.value) === "invalid";
            return (
              <li
                key={row.key}
                className={`widget-cb__line${invalid ? " widget-cb__line--invalid" : ""}`}
              >
                <label className="widget-cb__label" htmlFor={inputId}>
                  {row.label}
                  <span className="widget-sr-only">
                    {`, amount${per}`}
                    {data.currency ? ` in ${data.currency}` : ""}
                  </span>
                </label>
                {row.hint ? (
                  <p className="widget-cb__hint" id={hintId}>
                    {row.hint}
                  </p>
                ) : null}
                <div className="widget-cb__entry">
                  {data.currency ? (
                    <span className="widget-cb__currency" aria-hidden="true">
                      {data.currency}
                    </span>
                  ) : null}
                  <input
                    id={inputId}
                    className="widget-cb__input"
                    type="text"
                    inputMode="decimal"
                    autoComplete="off"
                    value={row.value}
                    placeholder="0"
                    aria-invalid={invalid || undefined}
                    aria-describedby={row.hint ? hintId : undefined}
                    onChange={(e) => update(side, row.key, e.currentTarget.value)}
                  />
                  {row.custom ? (
                    <button
                      type="button"
                      className="widget-button widget-button--quiet widget-button--small"
                      onClick={() => remove(side, row.key)}
                    >
                      Remove<span className="widget-sr-only"> {row.label}</span>
                    </button>
                  ) : null}
                </div>
                {invalid ? (
                  <p className="widget-cb__error">Use numbers only, such as 120 or 12.50.</p>
                ) : null}
              </li>
            );
          })}
        </ul>
        <div className="widget-cb__add">
          <label className="widget-cb__label" htmlFor={draftId}>
            Add a {noun} of your own
          </label>
          <div className="widget-cb__entry">
            <input
              id={draftId}
              className="widget-cb__input widget-cb__input--wide"
              type="text"
              autoComplete="off"
              maxLength={120}
              value={drafts[side]}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setDrafts((d) => ({ ...d, [side]: value }));
              }}
              onKeyDown={(e) => onDraftKey(side, e)}
            />
            <button
              type="button"
              className="widget-button widget-button--quiet widget-button--small"
              onClick={() => add(side)}
            >
              Add {noun}
            </button>
          </div>
        </div>
        <p className="widget-cb__total">
          Total {side}: <strong>{formatAmount(totals.total, data.currency)}</strong>
          {per}
        </p>
      </fieldset>
    );
  };

  return (
    <section className="widget widget-cb" data-widget={NAME} aria-labelledby={titleId}>
      <h3 className="widget__title" id={titleId}>
        {data.title}
      </h3>
      <p className="widget__intro">
        Enter an estimate for each line{data.period ? `, as an amount per ${data.period}` : ""}.
        Leave a line empty if it does not apply. Nothing you type is saved or marked.
      </p>
      <div className="widget-cb__columns">
        {column("costs")}
        {column("benefits")}
      </div>
      {/* Visible, not only announced: "Add cost" with no name must tell sighted users why. */}
      <p className="widget__status" aria-live="polite" role="status">
        {addMessage}
      </p>
      <div className="widget__actions">
        <button type="button" className="widget-button" onClick={calculate}>
          Work it out
        </button>
        <button type="button" className="widget-button widget-button--quiet" onClick={reset}>
          Reset figures
        </button>
      </div>
      <div
        className={`widget-cb__result${result ? ` widget-cb__result--${result.tone}` : ""}${stale ? " widget-cb__result--stale" : ""}`}
        aria-live="polite"
        role="status"
        data-testid="widget-result"
      >
        {result ? (
          <>
            {stale ? (
              <p className="widget-cb__stale">
                You have changed the figures since: press Work it out again.
              </p>
            ) : null}
            {result.lines.map((line, i) => (
              <p key={i} className={i === 0 ? "widget-cb__summary" : undefined}>
                {line}
              </p>
            ))}
          </>
        ) : (
          <p className="widget-cb__placeholder">Press Work it out to compare the totals.</p>
        )}
      </div>
    </section>
  );
}
