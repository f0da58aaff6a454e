import { copyDatabaseTo, CopyRefused } from "~/services/database-copy.server";
import { parseFlags, UsageError } from "./usage";

const USAGE = "Usage: staffroom db copy --to postgres://user:password@host/database";

const percent = (share: { percent: number | null; done: number; of: number }) =>
  `${share.percent ?? "–"}% (${share.done} of ${share.of})`;

/** `db copy --to <url>`: the SQLite database at DATABASE_PATH into an empty PostgreSQL one. */
export async function dbCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseFlags(rest, { to: { type: "string" } });
  if (sub !== "copy" || !values.to || positionals.length > 0) throw new UsageError(USAGE);
  try {
    const report = await copyDatabaseTo(values.to);
    const { figures } = report;
    const rows = Object.entries(report.rows)
      .filter(([, n]) => n > 0)
      .map(([table, n]) => `  ${table.padEnd(24)} ${n.toLocaleString("en")}`);
    console.log(
      `Copied ${report.from} to ${report.to} in one transaction.\n` +
        `Row counts, the same in both:\n${rows.join("\n")}\n` +
        `Leadership figures, identical before and after: on time ${percent(figures.onTime)}, ` +
        `completion ${percent(figures.completion)}, ${figures.overdue} overdue, ` +
        `${figures.notFinished} not finished.\n` +
        "Set DATABASE_URL to the new database to run Staffroom on it.",
    );
    return 0;
  } catch (error) {
    if (!(error instanceof CopyRefused)) throw error;
    console.error(error.message);
    return 1;
  }
}
