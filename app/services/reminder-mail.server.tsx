/**
 * The words of every reminder: one letter shape (heading, lists with links, one button, why the
 * reader gets it) rendered as plain text and as simple, accessible HTML. React escapes the HTML.
 */
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import type { Summary } from "~/services/reports.server";
import { formatDay } from "~/utils/dates";
import { groupBy } from "~/utils/group-by";

export interface Letter {
  subject: string;
  heading: string;
  greeting: string;
  intro: string;
  lists: { title?: string; lines: { text: string; href?: string; detail?: string }[] }[];
  action: { label: string; href: string };
  why: string;
  orgName: string;
  /** After the why: the account page, and for digests and summaries a one-click unsubscribe. */
  footerLinks: { label: string; href: string }[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function render(letter: Letter): RenderedMail {
  return { subject: letter.subject, text: asText(letter), html: asHtml(letter) };
}

function asText(letter: Letter): string {
  const out = [`${letter.orgName} · Staffroom`, "", letter.greeting, "", letter.intro, ""];
  for (const list of letter.lists) {
    if (list.title) out.push(list.title);
    for (const line of list.lines) {
      out.push(`- ${line.text}${line.detail ? `: ${line.detail}` : ""}`);
      if (line.href) out.push(`  ${line.href}`);
    }
    out.push("");
  }
  out.push(`${letter.action.label}: ${letter.action.href}`, "", "--", letter.why);
  for (const link of letter.footerLinks) out.push(`${link.label}: ${link.href}`);
  return `${out.join("\n")}\n`;
}

const INK = "#1f2328";
const MUTED = "#57606a";
const LINK = "#0b57a4";

function Html({ letter }: { letter: Letter }): ReactNode {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{letter.subject}</title>
      </head>
      <body
        style={{
          margin: 0,
          padding: "24px 12px",
          background: "#f4f4f1",
          color: INK,
          fontFamily: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
          fontSize: "16px",
          lineHeight: 1.5,
        }}
      >
        <main
          style={{
            maxWidth: "560px",
            margin: "0 auto",
            background: "#ffffff",
            padding: "24px",
            borderRadius: "8px",
          }}
        >
          <p style={{ margin: "0 0 16px", color: MUTED, fontSize: "14px" }}>
            {letter.orgName} · Staffroom
          </p>
          <h1 style={{ fontSize: "22px", lineHeight: 1.3, margin: "0 0 16px" }}>
            {letter.heading}
          </h1>
          <p>{letter.greeting}</p>
          <p>{letter.intro}</p>
          {letter.lists.map((list, i) => (
            <section key={i}>
              {list.title ? (
                <h2 style={{ fontSize: "17px", margin: "20px 0 4px" }}>{list.title}</h2>
              ) : null}
              <ul style={{ paddingLeft: "20px", margin: "8px 0 16px" }}>
                {list.lines.map((line, j) => (
                  <li key={j} style={{ marginBottom: "6px" }}>
                    {line.href ? (
                      <a href={line.href} style={{ color: LINK }}>
                        {line.text}
                      </a>
                    ) : (
                      <strong>{line.text}</strong>
                    )}
                    {line.detail ? `: ${line.detail}` : null}
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <p style={{ margin: "24px 0" }}>
            <a
              href={letter.action.href}
              style={{
                display: "inline-block",
                background: LINK,
                color: "#ffffff",
                padding: "10px 18px",
                borderRadius: "6px",
                textDecoration: "none",
                fontWeight: 600,
              }}
            >
              {letter.action.label}
            </a>
          </p>
          <hr style={{ border: 0, borderTop: "1px solid #d0d7de", margin: "24px 0 12px" }} />
          <p style={{ color: MUTED, fontSize: "14px", margin: "0 0 8px" }}>{letter.why}</p>
          {letter.footerLinks.map((link) => (
            <p key={link.href} style={{ color: MUTED, fontSize: "14px", margin: "0 0 4px" }}>
              <a href={link.href} style={{ color: LINK }}>
                {link.label}
              </a>
            </p>
          ))}
        </main>
      </body>
    </html>
  );
}

function asHtml(letter: Letter): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(<Html letter={letter} />)}`;
}

// ---------------------------------------------------------------------------------------------
// The letters

export interface MailContext {
  orgName: string;
  origin: string;
}

/** One assigned course and how far it is from its due date (negative: overdue). */
export interface CourseLine {
  courseSlug: string;
  courseTitle: string;
  dueOn: string;
  daysLeft: number;
}

/** The same, about someone in a manager's team. */
export interface TeamLine extends CourseLine {
  personId: number;
  personName: string;
}

export type LearnerKind = "before_due" | "due_today" | "overdue" | "nudge";

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const andMore = (first: string, n: number) => (n > 1 ? `${first} and ${n - 1} more` : first);

/** "due in 7 days", "due tomorrow", "due today", "3 days overdue". */
export function shortDue(daysLeft: number): string {
  if (daysLeft > 1) return `due in ${daysLeft} days`;
  if (daysLeft === 1) return "due tomorrow";
  if (daysLeft === 0) return "due today";
  return `${plural(-daysLeft, "day")} overdue`;
}

/** The same with the date: "due in 7 days (10 March 2026)", "3 days overdue (due 1 March 2026)". */
const dueWords = (dueOn: string, daysLeft: number) =>
  daysLeft === 0
    ? shortDue(0)
    : `${shortDue(daysLeft)} (${daysLeft < 0 ? "due " : ""}${formatDay(dueOn)})`;

const percentWords = (share: { percent: number | null; done: number; of: number }) =>
  share.percent === null
    ? "nothing has come due yet"
    : `${share.percent}% (${share.done} of ${share.of})`;

/** "Welcome, Returns (due in 5 days); 3 courses (10 days overdue)", lines in due order. */
export function dueSummary(lines: CourseLine[]): string {
  return [...groupBy(lines, (l) => shortDue(l.daysLeft))]
    .map(([due, group]) => {
      const what =
        group.length > 2
          ? plural(group.length, "course")
          : group.map((l) => l.courseTitle).join(", ");
      return `${what} (${due})`;
    })
    .join("; ");
}

/** One line per person (to their page), with what they have not finished. */
const perPerson = (ctx: MailContext, lines: TeamLine[]) =>
  [...groupBy(lines, (l) => l.personId)].map(([personId, own]) => ({
    text: own[0]!.personName,
    href: `${ctx.origin}/people/${personId}`,
    detail: dueSummary(own),
  }));

const accountLink = (ctx: MailContext) => ({
  label: "Your account page: which messages you get",
  href: `${ctx.origin}/account`,
});

/** "March 2026" for "2026-03". */
export const monthWords = (month: string) =>
  new Date(`${month}-15T12:00:00.000Z`).toLocaleDateString("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });

/** Long lists end with a pointer to the page that has them all. */
const LINES_SHOWN = 30;
function capped(lines: Letter["lists"][number]["lines"]) {
  if (lines.length <= LINES_SHOWN) return lines;
  return [...lines.slice(0, LINES_SHOWN), { text: `…and ${lines.length - LINES_SHOWN} more` }];
}

/** A learner's own training: the day's due-date reminder, or a nudge from `nudgedBy`. */
export function learnerLetter(
  ctx: MailContext,
  reader: { name: string },
  kind: LearnerKind,
  lines: CourseLine[],
  nudgedBy?: string,
): Letter {
  const first = lines[0]!;
  const subject = {
    overdue: `Overdue training: ${andMore(first.courseTitle, lines.length)}`,
    due_today: `Due today: ${andMore(first.courseTitle, lines.length)}`,
    before_due:
      lines.length === 1
        ? `Reminder: ${first.courseTitle} is ${shortDue(first.daysLeft)}`
        : `Reminder: ${lines.length} courses are due soon`,
    nudge: `${nudgedBy} reminds you about your training`,
  }[kind];
  const heading = {
    overdue: "Some of your training is overdue",
    due_today: "Training due today",
    before_due: "Training due soon",
    nudge: `A reminder from ${nudgedBy}`,
  }[kind];
  return {
    subject,
    heading,
    greeting: `Hello ${reader.name},`,
    intro:
      kind === "nudge"
        ? `${nudgedBy} asked Staffroom to remind you about the training you have not finished yet.`
        : "This training is assigned to you and not finished yet. Each course takes a few short lessons.",
    lists: [
      {
        lines: lines.map((l) => ({
          text: l.courseTitle,
          href: `${ctx.origin}/courses/${l.courseSlug}`,
          detail: dueWords(l.dueOn, l.daysLeft),
        })),
      },
    ],
    action: { label: "Open your training", href: `${ctx.origin}/` },
    why:
      kind === "nudge"
        ? `You get this because ${nudgedBy}, who looks after training at ${ctx.orgName}, sent you a reminder from Staffroom (at most one a day).`
        : `You get this because this training is assigned to you at ${ctx.orgName}. Due-date reminders come with required training and cannot be switched off.`,
    orgName: ctx.orgName,
    footerLinks: [accountLink(ctx)],
  };
}

/** To a line manager: their reports' courses that are `afterDays` or more overdue. */
export function escalationLetter(
  ctx: MailContext,
  reader: { name: string },
  lines: TeamLine[],
  afterDays: number,
): Letter {
  const people = new Set(lines.map((l) => l.personName));
  const names = [...people];
  return {
    subject: `Overdue training in your team: ${names.length === 1 ? names[0] : plural(names.length, "person", "people")}`,
    heading:
      names.length === 1
        ? `${names[0]} is behind on training`
        : "People in your team are behind on training",
    greeting: `Hello ${reader.name},`,
    intro: `These courses are ${plural(afterDays, "day")} or more overdue. A word from you usually helps.`,
    lists: [{ lines: capped(perPerson(ctx, lines)) }],
    action: { label: "Open your team", href: `${ctx.origin}/team?status=overdue` },
    why: `You get this because you are the line manager of ${names.length === 1 ? names[0] : "these people"} at ${ctx.orgName} and their training is ${plural(afterDays, "day")} or more overdue. You hear about each course at most once a week; this cannot be switched off.`,
    orgName: ctx.orgName,
    footerLinks: [accountLink(ctx)],
  };
}

/** A manager's digest: what is overdue and what nobody has started in their whole team. */
export function digestLetter(
  ctx: MailContext,
  reader: { name: string },
  team: { people: number; overdue: TeamLine[]; notStarted: TeamLine[] },
  frequency: "weekly" | "fortnightly",
  unsubscribeHref: string,
): Letter {
  const lists = [];
  if (team.overdue.length > 0) {
    lists.push({
      title: `Overdue (${plural(team.overdue.length, "course")})`,
      lines: capped(perPerson(ctx, team.overdue)),
    });
  }
  if (team.notStarted.length > 0) {
    lists.push({
      title: `Not started yet (${plural(team.notStarted.length, "course")})`,
      lines: capped(perPerson(ctx, team.notStarted)),
    });
  }
  const every = frequency === "weekly" ? "weekly" : "fortnightly";
  return {
    subject: `Your team's training: ${team.overdue.length} overdue, ${team.notStarted.length} not started`,
    heading: "Your team's training",
    greeting: `Hello ${reader.name},`,
    intro: `${plural(team.people, "person reports", "people report")} to you directly or through their managers. This is what is overdue, and what nobody has started yet.`,
    lists,
    action: { label: "Open your team", href: `${ctx.origin}/team` },
    why: `You get this ${every} digest because people report to you at ${ctx.orgName}. Choose weekly, every two weeks or off on your account page.`,
    orgName: ctx.orgName,
    footerLinks: [
      accountLink(ctx),
      { label: "Unsubscribe from the team digest", href: unsubscribeHref },
    ],
  };
}

/** To a leader, once a month: the headline figures, as the Reports page shows them. */
export function leaderSummaryLetter(
  ctx: MailContext,
  reader: { name: string },
  summary: Summary,
  month: string,
  unsubscribeHref: string,
): Letter {
  return {
    subject: `Training at ${ctx.orgName}: ${monthWords(month)} summary`,
    heading: `Training at ${ctx.orgName}, ${monthWords(month)}`,
    greeting: `Hello ${reader.name},`,
    intro: "The headline figures as they stand today, the same as on the Reports page.",
    lists: [
      {
        title: "Headline figures",
        lines: [
          { text: "Completed by the due date", detail: percentWords(summary.onTime) },
          { text: "Completed overall", detail: percentWords(summary.completion) },
          { text: "Overdue", detail: plural(summary.overdue, "assignment") },
          { text: "Not finished", detail: plural(summary.notFinished, "assignment") },
        ],
      },
      {
        title: "Completed, by department",
        lines: summary.byDepartment.map((d) => ({ text: d.label, detail: percentWords(d) })),
      },
    ],
    action: { label: "Open the reports", href: `${ctx.origin}/reports` },
    why: `You get this monthly summary because you are a leader at ${ctx.orgName}.`,
    orgName: ctx.orgName,
    footerLinks: [
      accountLink(ctx),
      { label: "Unsubscribe from the monthly summary", href: unsubscribeHref },
    ],
  };
}
