// Roster CSV import (DESIGN.md, "Roster CSV"): decode, parse and validate the whole file, compare it
// with the database, and apply every change in one transaction or nothing.
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { type Actor } from "~/models/audit.server";
import {
  deleteRosterUpload,
  findRosterUpload,
  stageRosterUpload,
} from "~/models/roster-uploads.server";
import {
  normalizeEmail,
  rosterSnapshot,
  type PersonUpdate,
  type PersonValues,
} from "~/models/users.server";
import { sha256Hex } from "~/utils/crypto.server";
import { writeTransaction } from "~/utils/db.server";
import { changeRoster, diffPerson } from "./people.server";

export const ROSTER_COLUMNS = [
  "email",
  "name",
  "department",
  "title",
  "manager_email",
  "roles",
  "hired_on",
] as const;
type Column = (typeof ROSTER_COLUMNS)[number];

export const MAX_ROSTER_BYTES = 10 * 1024 * 1024;
export const MAX_ROSTER_ROWS = 20_000;
const ROLES = ["admin", "leader"] as const;

export interface RosterProblem {
  /** 1-based line in the file (a record spanning lines is named by its first); null: the whole file. */
  line: number | null;
  /** Header name, or null when the problem is not about one column. */
  column: string | null;
  /** Spreadsheet letter of that column (A, B, …). */
  columnLetter: string | null;
  message: string;
}

export class RosterImportError extends Error {
  constructor(readonly problems: RosterProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in the roster file`);
  }
}

export function formatProblem(p: RosterProblem): string {
  const where = [
    p.line === null ? null : `line ${p.line}`,
    p.column === null ? null : `column ${p.columnLetter} (${p.column})`,
  ].filter(Boolean);
  const text = where.length > 0 ? `${where.join(", ")}: ${p.message}` : p.message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const problem = (
  line: number | null,
  message: string,
  column: Column | string | null = null,
  index: number | null = null,
): RosterProblem => ({
  line,
  column,
  columnLetter: index === null ? null : columnLetter(index),
  message,
});

function columnLetter(index: number): string {
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The size cap's message; the web upload stops reading at the cap, so it may not know the size. */
export function rosterFileTooLarge(size: number | null): RosterProblem {
  return problem(
    null,
    `The file is ${size === null ? "larger than the limit" : megabytes(size)}; the limit is ${megabytes(MAX_ROSTER_BYTES)} (about ${MAX_ROSTER_ROWS.toLocaleString("en")} people). Split it into smaller files.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Bytes → text: UTF-8 only (a BOM is fine); UTF-16 and other encodings are refused by name.

function decode(bytes: Uint8Array): { text: string } | { problem: RosterProblem } {
  if (bytes.length > MAX_ROSTER_BYTES) return { problem: rosterFileTooLarge(bytes.length) };
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    bytes.subarray(0, 200).includes(0);
  if (utf16) {
    return {
      problem: problem(
        1,
        'The file is UTF-16 (often Excel\'s "Unicode text"). Save it as "CSV UTF-8 (comma delimited)" and upload it again.',
      ),
    };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const lossy = new TextDecoder("utf-8").decode(bytes);
    const line = lossy.slice(0, lossy.indexOf("\uFFFD")).split("\n").length;
    return {
      problem: problem(
        line,
        'The file is not UTF-8 (this line has a character in another encoding, such as Windows-1252). Save it as "CSV UTF-8" and upload it again.',
      ),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Text → rows, each field checked on its own.

interface RosterRow extends PersonValues {
  line: number;
}

const emailSchema = z.email().max(254);
const isEmail = (value: string) => emailSchema.safeParse(value).success;
const oneLine = (value: string) => value.replace(/\s+/g, " ").trim();

function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

interface ParsedRoster {
  rows: RosterRow[];
  problems: RosterProblem[];
  fileEmails: Set<string>;
}

function parseRows(text: string): ParsedRoster {
  let lastLine = 0;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes wrapped with the line it ends on.
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }) as unknown as typeof records;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const lines = (error as { lines?: number }).lines ?? null;
    const message =
      code === "CSV_QUOTE_NOT_CLOSED"
        ? "A quoted field opens on this line and is never closed (unbalanced quotes)."
        : `The file is not valid CSV: ${(error as Error).message}.`;
    // An unclosed quote is reported at the end of the file; it opened after the last good record.
    return {
      rows: [],
      problems: [problem(code === "CSV_QUOTE_NOT_CLOSED" ? lastLine + 1 : lines, message)],
      fileEmails: new Set(),
    };
  }
  if (records.length === 0) {
    return {
      rows: [],
      fileEmails: new Set(),
      problems: [
        problem(
          1,
          `The file is empty. The first line must be the header: ${ROSTER_COLUMNS.join(",")}`,
        ),
      ],
    };
  }

  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const problems: RosterProblem[] = [];
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!(ROSTER_COLUMNS as readonly string[]).includes(name)) {
      problems.push(
        problem(
          1,
          `Unknown column "${name}". The columns are ${ROSTER_COLUMNS.join(",")}.`,
          name,
          i,
        ),
      );
    } else if (index.has(name)) {
      problems.push(problem(1, `The column "${name}" appears twice.`, name, i));
    } else {
      index.set(name, i);
    }
  });
  const missing = ROSTER_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    problems.push(
      problem(
        1,
        `The header is missing ${missing.map((c) => `"${c}"`).join(", ")}. The columns are ${ROSTER_COLUMNS.join(",")}.`,
      ),
    );
  }
  if (problems.length > 0) return { rows: [], problems, fileEmails: new Set() };

  const data = records.slice(1);
  if (data.length > MAX_ROSTER_ROWS) {
    const first = data[MAX_ROSTER_ROWS]!;
    return {
      rows: [],
      fileEmails: new Set(),
      problems: [
        problem(
          startLine(first),
          `The file has ${data.length.toLocaleString("en")} people; the limit is ${MAX_ROSTER_ROWS.toLocaleString("en")} per file. Split it into smaller files.`,
        ),
      ],
    };
  }

  const rows: RosterRow[] = [];
  // Every email in the file, bad rows included: for duplicates, and so that a report naming a
  // manager whose own row has a problem is not also told the manager is unknown.
  const firstLine = new Map<string, number>();
  for (const { record, info } of data) {
    const line = startLine({ record, info });
    if (record.length !== header.length) {
      problems.push(
        problem(
          line,
          `Expected ${header.length} fields, found ${record.length}. Check the commas and quotes.`,
        ),
      );
      continue;
    }
    const at = (c: Column) => record[index.get(c)!]!.trim();
    const bad = (c: Column, message: string) =>
      problems.push(problem(line, message, c, index.get(c)!));
    const before = problems.length;

    const email = normalizeEmail(at("email"));
    if (!email) bad("email", "The email is missing.");
    else if (!isEmail(email)) bad("email", `"${at("email")}" is not a valid email address.`);

    const name = oneLine(at("name"));
    if (!name) bad("name", "The name is missing.");
    else if (name.length > 200) bad("name", "The name is longer than 200 characters.");

    const department = oneLine(at("department"));
    if (department.length > 100) bad("department", "The department is longer than 100 characters.");
    const title = oneLine(at("title"));
    if (title.length > 200) bad("title", "The title is longer than 200 characters.");

    const managerEmail = normalizeEmail(at("manager_email"));
    if (managerEmail && !isEmail(managerEmail)) {
      bad("manager_email", `"${at("manager_email")}" is not a valid email address.`);
    } else if (managerEmail && managerEmail === email) {
      bad("manager_email", "A person cannot be their own manager.");
    }

    const roles = at("roles")
      .split(";")
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean);
    const unknownRoles = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknownRoles.length > 0) {
      bad(
        "roles",
        `Unknown role${unknownRoles.length > 1 ? "s" : ""} ${unknownRoles.map((r) => `"${r}"`).join(", ")}. Roles are empty or "admin", "leader" or "admin;leader" (managers follow from manager_email).`,
      );
    }

    const hiredOn = at("hired_on");
    if (hiredOn && !isDate(hiredOn)) {
      bad("hired_on", `"${hiredOn}" is not a date in the form YYYY-MM-DD.`);
    }

    if (email) {
      const first = firstLine.get(email);
      if (first !== undefined)
        bad("email", `${email} is also on line ${first}; each person appears once.`);
      else firstLine.set(email, line);
    }
    if (problems.length === before) {
      rows.push({
        line,
        email,
        name,
        department: department || null,
        title,
        managerEmail: managerEmail || null,
        isAdmin: roles.includes("admin"),
        isLeader: roles.includes("leader"),
        hiredOn: hiredOn || null,
      });
    }
  }
  return { rows, problems, fileEmails: new Set(firstLine.keys()) };
}

/** The first line of a record: where it ends, less the line breaks inside its quoted fields. */
function startLine({ record, info }: { record: string[]; info: { lines: number } }): number {
  const breaks = record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
  return info.lines - breaks;
}

// ---------------------------------------------------------------------------------------------
// Rows → a plan against the database: who is created, updated, unchanged, absent.

export interface RosterPreview {
  fileName: string;
  rowCount: number;
  creates: RosterRow[];
  updates: (PersonUpdate & { line: number; name: string })[];
  unchanged: number;
  /** In the file but deactivated in Staffroom: their details are updated; they stay deactivated. */
  deactivatedInFile: { line: number; email: string; name: string }[];
  /** Active people missing from the file: kept, unless the admin deactivates them explicitly. */
  absent: { id: number; email: string; name: string; department: string | null }[];
  problems: RosterProblem[];
  /** Changes when the plan does: an apply checks it against the preview the admin saw. */
  digest: string;
}

/** The manager chain would loop back: returns the loop, or null. */
export function managerLoop(
  start: string,
  managerOf: (email: string) => string | null,
  done: Set<string>,
): string[] | null {
  const path: string[] = [];
  const onPath = new Set<string>();
  let email: string | null = start;
  while (email && !done.has(email) && !onPath.has(email)) {
    onPath.add(email);
    path.push(email);
    email = managerOf(email);
  }
  for (const e of path) done.add(e);
  return email && onPath.has(email) ? [...path.slice(path.indexOf(email)), email] : null;
}

type ParsedFile = { text: string; parsed: ParsedRoster } | { text: ""; problems: RosterProblem[] };

/** Decodes and parses the file: no database, so it can run before a write transaction. */
function parseFile(bytes: Uint8Array): ParsedFile {
  const decoded = decode(bytes);
  if ("problem" in decoded) return { text: "", problems: [decoded.problem] };
  const parsed = parseRows(decoded.text);
  if (parsed.fileEmails.size === 0 && parsed.problems.length > 0) {
    return { text: "", problems: parsed.problems };
  }
  return { text: decoded.text, parsed };
}

/** The file against the roster as it is now: run it inside the write that applies it. */
async function plan(file: ParsedFile, fileName: string, actor: Actor) {
  if (!("parsed" in file)) {
    const empty = { creates: [], updates: [], unchanged: 0, deactivatedInFile: [], absent: [] };
    return { fileName, rowCount: 0, ...empty, problems: file.problems, digest: "" };
  }
  const { rows, fileEmails } = file.parsed;
  const problems = [...file.parsed.problems];
  const people = await rosterSnapshot();
  const known = new Map(people.map((p) => [p.email, p]));
  const inFile = new Map(rows.map((r) => [r.email, r]));
  const columnOf = (c: Column) => ROSTER_COLUMNS.indexOf(c);

  for (const row of rows) {
    if (!row.managerEmail) continue;
    const manager = known.get(row.managerEmail);
    if (!manager && !fileEmails.has(row.managerEmail)) {
      problems.push(
        problem(
          row.line,
          `No person with the email ${row.managerEmail} is in this file or in Staffroom.`,
          "manager_email",
          columnOf("manager_email"),
        ),
      );
    } else if (manager?.status === "deactivated") {
      problems.push(
        problem(
          row.line,
          `The manager ${row.managerEmail} (${manager.name}) is deactivated. Reactivate them first or name another manager.`,
          "manager_email",
          columnOf("manager_email"),
        ),
      );
    }
  }

  const managerOf = (email: string) =>
    inFile.has(email) ? inFile.get(email)!.managerEmail : (known.get(email)?.managerEmail ?? null);
  const done = new Set<string>();
  for (const row of rows) {
    const loop = managerLoop(row.email, managerOf, done);
    if (!loop) continue;
    const lines = loop.flatMap((e) => (inFile.has(e) ? [inFile.get(e)!.line] : []));
    const firstLine = Math.min(...lines);
    problems.push(
      problem(
        firstLine,
        `These people would manage each other in a circle: ${loop.join(" → ")} (lines ${[...new Set(lines)].sort((a, b) => a - b).join(", ")}).`,
        "manager_email",
        columnOf("manager_email"),
      ),
    );
  }

  const self = actor.id === null ? undefined : people.find((p) => p.id === actor.id);
  const selfRow = self && inFile.get(self.email);
  if (selfRow && !selfRow.isAdmin) {
    problems.push(
      problem(
        selfRow.line,
        "This would remove your own admin role. Add admin to your roles, or ask another admin to do it.",
        "roles",
        columnOf("roles"),
      ),
    );
  }
  const finalPeople = [
    ...people.filter((p) => !inFile.has(p.email)),
    ...rows.map((r) => ({ ...r, status: known.get(r.email)?.status ?? "active" })),
  ].filter((p) => p.status === "active");
  if (finalPeople.length > 0 && !finalPeople.some((p) => p.isAdmin)) {
    problems.push(
      problem(
        null,
        'After this import nobody would be an active administrator. Put "admin" in the roles column of at least one person.',
      ),
    );
  }

  const creates: RosterRow[] = [];
  const updates: RosterPreview["updates"] = [];
  const deactivatedInFile: RosterPreview["deactivatedInFile"] = [];
  let unchanged = 0;
  for (const row of rows) {
    const current = known.get(row.email);
    if (!current) {
      creates.push(row);
      continue;
    }
    if (current.status === "deactivated") {
      deactivatedInFile.push({ line: row.line, email: row.email, name: current.name });
    }
    const diff = diffPerson(current, row);
    if (diff)
      updates.push({ id: current.id, email: row.email, line: row.line, name: row.name, ...diff });
    else unchanged += 1;
  }
  const absent = people
    .filter((p) => p.status === "active" && !fileEmails.has(p.email))
    .map((p) => ({ id: p.id, email: p.email, name: p.name, department: p.department }))
    .sort((a, b) => a.name.localeCompare(b.name));

  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const digest = sha256Hex(
    JSON.stringify([
      creates.map(({ line: _line, ...values }) => values),
      updates.map((u) => [u.id, u.after]),
    ]),
  );
  return {
    fileName,
    rowCount: fileEmails.size,
    creates,
    updates,
    unchanged,
    deactivatedInFile,
    absent,
    problems,
    digest,
  } satisfies RosterPreview;
}

/** Validates a roster file against the database; changes nothing. */
export async function previewRoster(
  bytes: Uint8Array,
  fileName: string,
  actor: Actor,
): Promise<RosterPreview> {
  return plan(parseFile(bytes), fileName, actor);
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

export type ApplyResult =
  { status: "applied"; summary: ImportSummary } | { status: "changed"; preview: RosterPreview };

/**
 * Applies a roster file in one transaction, or nothing (RosterImportError lists every problem).
 * `deactivate` names people missing from the file whom the admin chose to deactivate; with
 * `expectedDigest`, a plan that differs from the previewed one is returned instead of applied.
 */
export async function applyRoster(
  bytes: Uint8Array,
  fileName: string,
  actor: Actor,
  options: { deactivate?: string[]; expectedDigest?: string } = {},
): Promise<ApplyResult> {
  const file = parseFile(bytes);
  // Planned, checked, applied, audited and followed by the recompute in one write: nothing the
  // plan read can change before it is applied, and a failure anywhere leaves nothing behind.
  return writeTransaction(async () => {
    const preview = await plan(file, fileName, actor);
    if (preview.problems.length > 0) throw new RosterImportError(preview.problems);
    if (options.expectedDigest !== undefined && options.expectedDigest !== preview.digest) {
      return { status: "changed", preview };
    }
    const absent = new Map(preview.absent.map((p) => [p.email, p]));
    const leaving = (options.deactivate ?? []).map(normalizeEmail);
    const refused = leaving.filter((e) => !absent.has(e) || absent.get(e)!.id === actor.id);
    if (refused.length > 0) {
      throw new RosterImportError(
        refused.map((e) =>
          problem(
            null,
            `${e} cannot be deactivated by this import: only active people missing from the file can, and never yourself.`,
          ),
        ),
      );
    }
    const summary: ImportSummary = {
      created: preview.creates.length,
      updated: preview.updates.length,
      unchanged: preview.unchanged,
      deactivated: leaving.length,
    };
    if (summary.created + summary.updated + summary.deactivated === 0) {
      return { status: "applied", summary };
    }
    await changeRoster(
      actor,
      {
        creates: preview.creates.map(({ line: _line, ...values }) => values),
        updates: preview.updates.map(({ id, email, before, after }) => ({
          id,
          email,
          before,
          after,
        })),
        statusChanges: leaving.map((e) => ({
          id: absent.get(e)!.id,
          email: e,
          status: "deactivated" as const,
        })),
      },
      {
        action: "roster.imported",
        subject: fileName,
        after: { rows: preview.rowCount, ...summary },
      },
    );
    return { status: "applied", summary };
  });
}

// ---------------------------------------------------------------------------------------------
// The admin UI: a valid file is kept between its preview and its application.

export async function previewUpload(
  actor: Actor & { id: number },
  fileName: string,
  bytes: Uint8Array,
): Promise<{ preview: RosterPreview; uploadId: number | null }> {
  const file = parseFile(bytes);
  const preview = await plan(file, fileName, actor);
  if (preview.problems.length > 0) return { preview, uploadId: null };
  return { preview, uploadId: await stageRosterUpload(actor.id, fileName, file.text) };
}

export async function applyUpload(
  actor: Actor & { id: number },
  uploadId: number,
  options: { deactivate: string[]; expectedDigest: string },
): Promise<ApplyResult> {
  const upload = await findRosterUpload(uploadId, actor.id);
  if (!upload) {
    throw new RosterImportError([
      problem(null, "This preview has expired or was already applied. Upload the file again."),
    ]);
  }
  return writeTransaction(async () => {
    const result = await applyRoster(
      Buffer.from(upload.content, "utf8"),
      upload.fileName,
      actor,
      options,
    );
    if (result.status === "applied") await deleteRosterUpload(uploadId);
    return result;
  });
}
