import { migrateToLatest } from "#db/migrate";
import { recomputeAssignments } from "~/services/assignments.server";
import { NOT_MAILED, runReminders, type PlannedMessage } from "~/services/reminders.server";
import { parseFlags, printTable, UsageError } from "./usage";

const FORMATS = ["table", "json"] as const;
const clip = (text: string, max = 90) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `reminders run [--dry-run] [--format table|json]`: the day's run, as the server does it. */
export async function remindersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    "dry-run": { type: "boolean" },
    format: { type: "string" },
  });
  if (positionals.join(" ") !== "run") {
    throw new UsageError(`Unknown reminders command "${positionals.join(" ")}"; it is "run".`);
  }
  const format = (values.format ?? "table") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${values.format}".`);
  }
  const dryRun = values["dry-run"] === true;
  await migrateToLatest();
  // As `report not-finished`: assignments up to date first (idempotent).
  await recomputeAssignments();
  const report = await runReminders({ dryRun });
  const messages: (PlannedMessage & { outcome?: string })[] = dryRun
    ? report.messages
    : report.sent;

  if (format === "json") {
    const objects = messages.map((m) => ({
      to: m.to,
      kind: m.kind,
      person: m.person,
      people: m.people,
      courses: m.courses,
      subject: m.letter.subject,
      reason: m.reason,
      ...(m.outcome ? { status: m.outcome } : {}),
    }));
    console.log(JSON.stringify(objects, null, 2));
    return 0;
  }
  printTable([
    ["to", "kind", "courses", dryRun ? "why" : "status"],
    ...messages.map((m) => [m.to, m.kind, String(m.courses.length), m.outcome ?? clip(m.reason)]),
  ]);
  const verb = dryRun ? "would be sent (dry run: nothing was sent)" : "sent by this run";
  console.log(
    `\n${messages.length} ${messages.length === 1 ? "message" : "messages"} ${verb} on ${report.day}.`,
  );
  const refused = messages.filter((m) => m.outcome === "retrying" || m.outcome === "failed");
  if (refused.length > 0) {
    console.log(
      `${refused.length} refused by the mail server; see /admin/reminders (retried with backoff).`,
    );
  }
  if (report.retried > 0) console.log(`${report.retried} earlier messages tried again.`);
  const counts = new Map<string, number>();
  for (const n of report.notMailed) counts.set(n.category, (counts.get(n.category) ?? 0) + 1);
  for (const [category, n] of counts) {
    console.log(`  not mailed: ${NOT_MAILED[category as keyof typeof NOT_MAILED]}: ${n}`);
  }
  return 0;
}
