import fs from "node:fs";
import path from "node:path";
import { migrateToLatest } from "#db/migrate";
import { rosterSnapshot } from "~/models/users.server";
import { AccountError, setPasswordByEmail } from "~/services/accounts.server";
import { inviteByEmail } from "~/services/invitations.server";
import { deactivateByEmail, PersonError } from "~/services/people.server";
import { erasePerson, exportPerson, PrivacyError } from "~/services/privacy.server";
import {
  applyRoster,
  formatProblem,
  previewRoster,
  RosterImportError,
  type RosterPreview,
} from "~/services/roster-import.server";
import { cliActor, parseFlags, printTable, UsageError } from "./usage";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

const shown = (value: unknown) => (value === null || value === "" ? "(empty)" : String(value));

function printPreview(preview: RosterPreview) {
  for (const c of preview.creates) console.log(`  create  line ${c.line}  ${c.email}  ${c.name}`);
  for (const u of preview.updates) {
    const changes = Object.keys(u.after).map(
      (key) =>
        `${key}: ${shown(u.before[key as keyof typeof u.before])} → ${shown(u.after[key as keyof typeof u.after])}`,
    );
    console.log(`  update  line ${u.line}  ${u.email}  ${changes.join("; ")}`);
  }
  for (const d of preview.deactivatedInFile) {
    console.log(`  note    line ${d.line}  ${d.email} is deactivated and stays so`);
  }
  if (preview.absent.length > 0) {
    console.log(
      `${plural(preview.absent.length, "active person is", "active people are")} not in the file and stay active` +
        " (deactivate leavers with `staffroom users deactivate <email>`):",
    );
    for (const a of preview.absent) console.log(`  absent  ${a.email}  ${a.name}`);
  }
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { "dry-run": { type: "boolean" } });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0)
    throw new UsageError("Usage: staffroom users import <file.csv> [--dry-run]");
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.resolve(process.cwd(), file));
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  await migrateToLatest();
  const name = path.basename(file);
  const preview = await previewRoster(bytes, name, cliActor());
  if (preview.problems.length > 0) {
    for (const p of preview.problems) console.error(`${file}: ${formatProblem(p)}`);
    console.error(`${plural(preview.problems.length, "problem")}: nothing was imported.`);
    return 1;
  }
  const counts = `${plural(preview.creates.length, "person", "people")} to create, ${preview.updates.length.toLocaleString("en")} to update, ${preview.unchanged.toLocaleString("en")} unchanged`;
  if (values["dry-run"]) {
    printPreview(preview);
    console.log(`Dry run of ${name}: ${counts}. Nothing was changed.`);
    return 0;
  }
  try {
    const result = await applyRoster(bytes, name, cliActor(), { expectedDigest: preview.digest });
    if (result.status === "changed") {
      console.error(
        "The roster changed while the file was being checked; nothing was imported. Run the import again.",
      );
      return 1;
    }
    const { created, updated, unchanged } = result.summary;
    console.log(
      `Imported ${name}: ${created.toLocaleString("en")} created, ${updated.toLocaleString("en")} updated, ${unchanged.toLocaleString("en")} unchanged.`,
    );
    if (preview.absent.length > 0) {
      console.log(
        `${plural(preview.absent.length, "active person is", "active people are")} not in the file and stayed active; \`staffroom users import --dry-run\` lists them.`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof RosterImportError)) throw error;
    for (const p of error.problems) console.error(`${file}: ${formatProblem(p)}`);
    console.error("Nothing was imported.");
    return 1;
  }
}

async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { format: { type: "string" } });
  const format = values.format ?? "table";
  if (positionals.length > 0 || (format !== "table" && format !== "json")) {
    throw new UsageError("Usage: staffroom users list [--format table|json]");
  }
  await migrateToLatest();
  const people = (await rosterSnapshot()).sort((a, b) => a.name.localeCompare(b.name));
  const roles = (p: { isAdmin: boolean; isLeader: boolean }) =>
    [p.isAdmin && "admin", p.isLeader && "leader"].filter(Boolean).join(";");
  if (format === "json") {
    const objects = people.map((p) => ({
      email: p.email,
      name: p.name,
      department: p.department,
      title: p.title,
      manager_email: p.managerEmail,
      roles: roles(p),
      hired_on: p.hiredOn,
      status: p.status,
      password_set: p.hasPassword,
    }));
    console.log(JSON.stringify(objects, null, 2));
    return 0;
  }
  printTable([
    ["email", "name", "department", "manager_email", "roles", "status", "password"],
    ...people.map((p) => [
      p.email,
      p.name,
      p.department ?? "",
      p.managerEmail ?? "",
      roles(p),
      p.status,
      p.hasPassword ? "set" : "invited",
    ]),
  ]);
  console.log(`\n${plural(people.length, "person", "people")}.`);
  return 0;
}

async function inviteCommand(email: string): Promise<number> {
  const link = await inviteByEmail(cliActor(), email);
  const kind = link.purpose === "invite" ? "Invitation" : "Password reset link";
  const where = {
    sent: "mailed to them",
    outbox: "put in the outbox (no SMTP_URL is set)",
    failed: "put in the outbox, because the SMTP server refused it",
  }[link.delivery];
  console.log(`${kind} for ${email}, valid once until ${link.expiresAt}, ${where}:\n${link.url}`);
  return 0;
}

async function deactivateCommand(email: string): Promise<number> {
  const person = await deactivateByEmail(cliActor(), email);
  console.log(
    `Deactivated ${person.name} <${person.email}>; their sessions ended. Their training history is kept.`,
  );
  return 0;
}

async function setPasswordCommand(email: string): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write("Type the new password, then Enter and Ctrl-D:\n");
  const password = (await readStdin()).replace(/\r?\n$/, "");
  await setPasswordByEmail(cliActor(), email, password);
  console.log(`Password set for ${email}.`);
  return 0;
}

async function exportCommand(email: string): Promise<number> {
  console.log(JSON.stringify(await exportPerson(cliActor(), email), null, 2));
  return 0;
}

async function eraseCommand(email: string): Promise<number> {
  const report = await erasePerson(cliActor(), email);
  const rows = Object.entries(report.touched)
    .map(([table, n]) => `${table} ${n}`)
    .join(", ");
  console.log(
    `Erased ${email}: they are now "${report.anonymous.name}". Rows deleted or rewritten: ${rows}.`,
  );
  if (!report.nameReplaced) {
    console.log(
      "Someone else has the same name, so the name was left where free text mentions it.",
    );
  }
  if (!report.scrubbed) {
    console.log(
      "The database was busy: old pages stay in the WAL file until its next checkpoint (stop the server and run this again to be sure).",
    );
  }
  return 0;
}

const WITH_EMAIL: Record<string, (email: string) => Promise<number>> = {
  invite: inviteCommand,
  deactivate: deactivateCommand,
  "set-password": setPasswordCommand,
  export: exportCommand,
  erase: eraseCommand,
};

const USAGE = `Usage: staffroom users import <file.csv> [--dry-run]
       staffroom users list [--format table|json]
       staffroom users invite <email>
       staffroom users set-password <email>   (the new password is read from standard input)
       staffroom users deactivate <email>
       staffroom users export <email>         (everything held about them, as JSON)
       staffroom users erase <email> --yes    (removes their personal data for good)`;

export async function usersCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "import") return importCommand(rest);
  if (sub === "list") return listCommand(rest);
  const command = sub ? WITH_EMAIL[sub] : undefined;
  const { values, positionals } = parseFlags(rest, { yes: { type: "boolean" } });
  const [email, ...extra] = positionals;
  if (!command || !email || extra.length > 0 || (values.yes && sub !== "erase")) {
    throw new UsageError(USAGE);
  }
  if (sub === "erase" && !values.yes) {
    console.error(
      `Nothing changed: erasing ${email} deletes their training records and removes their name and email from the database for good. Run again with --yes to do it.`,
    );
    return 1;
  }
  await migrateToLatest();
  try {
    return await command(email);
  } catch (error) {
    if (
      error instanceof AccountError ||
      error instanceof PersonError ||
      error instanceof PrivacyError
    ) {
      console.error(
        `${sub === "set-password" ? "Password not changed" : "Nothing changed"}: ${error.message}`,
      );
      return 1;
    }
    throw error;
  }
}
