/**
 * What a database failure means, for the people who see it: a short reason for users and
 * `/healthz`, and the real error, the file and a hint for the operator's log.
 */

export type UnavailableReason =
  "storage_full" | "read_only" | "busy" | "contended" | "io_error" | "unopenable" | "unreachable";

const REASONS: Record<UnavailableReason, { user: string; hint: string }> = {
  storage_full: {
    user: "Staffroom cannot save right now because the server's storage is full. Nothing was changed. Please tell your administrator.",
    hint: "the disk holding the database is full: free some space; Staffroom recovers by itself, no restart needed",
  },
  read_only: {
    user: "Staffroom cannot save right now because its database is read-only. Nothing was changed. Please tell your administrator.",
    hint: "the database file or its folder is not writable by this process: check the owner and permissions of the file, its -wal and -shm files and the folder",
  },
  busy: {
    user: "Staffroom is very busy and could not save your change in time. Nothing was changed. Please try again.",
    hint: "another process held the write lock longer than the busy timeout: look for a long-running command (backup, import) or a stuck process",
  },
  io_error: {
    user: "Staffroom cannot reach its database right now. Nothing was changed. Please tell your administrator.",
    hint: "the operating system reported an I/O error: check the disk and the file system",
  },
  unopenable: {
    user: "Staffroom cannot reach its database right now. Please tell your administrator.",
    hint: "the file cannot be opened as a Staffroom database: check the path, that it is an SQLite file, and its permissions",
  },
  contended: {
    user: "Staffroom is very busy and could not save your change in time. Nothing was changed. Please try again.",
    hint: "write transactions kept colliding (serialization failures or deadlocks) for longer than the busy timeout, though each was retried: look for a burst of writes to the same rows, or a long transaction",
  },
  unreachable: {
    user: "Staffroom cannot reach its database right now. Nothing was changed. Please tell your administrator.",
    hint: "the PostgreSQL server refused or dropped the connection: check that it runs, that DATABASE_URL names it, and its logs",
  },
};

/** PostgreSQL's own hints where the SQLite ones would mislead. */
const POSTGRES_HINTS: Partial<Record<UnavailableReason, string>> = {
  storage_full:
    "the disk holding the PostgreSQL data directory is full: free some space; Staffroom recovers by itself, no restart needed",
  read_only:
    "the PostgreSQL server takes no writes (a standby, or default_transaction_read_only is on): point DATABASE_URL at the primary",
  busy: "a statement waited longer than the busy timeout for a lock, or the server has no connections left: look for a long-running command or a stuck session (pg_stat_activity)",
  io_error: "the PostgreSQL server reported an I/O error: check its disk and its log",
  unopenable:
    "PostgreSQL refused the login or the database: check the user, password and database name in DATABASE_URL",
};

/** The database cannot do what was asked for a reason outside the app; answered with 503. */
export class DatabaseUnavailable extends Error {
  readonly reason: UnavailableReason;
  readonly code: string;
  readonly file: string;
  readonly userMessage: string;

  constructor(reason: UnavailableReason, code: string, file: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const hint = (!code.startsWith("SQLITE") && POSTGRES_HINTS[reason]) || REASONS[reason].hint;
    super(`${code} on ${file}: ${detail}. Hint: ${hint}.`, { cause });
    this.name = "DatabaseUnavailable";
    this.reason = reason;
    this.code = code;
    this.file = file;
    this.userMessage = REASONS[reason].user;
  }
}

/** PostgreSQL SQLSTATEs (and the network errors of reaching its server) by reason. */
const POSTGRES_REASONS: Record<string, UnavailableReason> = {
  "53100": "storage_full",
  "25006": "read_only",
  "55P03": "busy",
  "57014": "busy",
  "53300": "busy",
  "40001": "contended",
  "40P01": "contended",
  "58030": "io_error",
  "3D000": "unopenable",
  "28000": "unopenable",
  "28P01": "unopenable",
  "57P01": "unreachable",
  "57P02": "unreachable",
  "57P03": "unreachable",
  ECONNREFUSED: "unreachable",
  ECONNRESET: "unreachable",
  ENOTFOUND: "unreachable",
  ETIMEDOUT: "unreachable",
  EHOSTUNREACH: "unreachable",
};

function reasonFor(code: string): UnavailableReason | undefined {
  if (code in POSTGRES_REASONS) return POSTGRES_REASONS[code];
  if (code.startsWith("08")) return "unreachable";
  if (code === "SQLITE_FULL" || code === "SQLITE_IOERR_WRITE_FULL") return "storage_full";
  if (code.startsWith("SQLITE_READONLY")) return "read_only";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "busy";
  if (code.startsWith("SQLITE_IOERR")) return "io_error";
  if (code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT")
    return "unopenable";
  return undefined;
}

let lastLogged = "";

/**
 * Turns a database error about the environment (full disk, read-only file, lock held too long,
 * server unreachable) into `DatabaseUnavailable`, logging the real code, the file or server and
 * a hint once per kind in a row. Other errors (constraints, bugs) pass through unchanged; so do
 * PostgreSQL's serialization failures and deadlocks unless `retried` says they were retried.
 */
export function classifyDatabaseError(error: unknown, file: string, retried = false): unknown {
  if (error instanceof DatabaseUnavailable) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") return error;
  if (!retried && (code === "40001" || code === "40P01")) return error;
  const reason = reasonFor(code);
  if (!reason) return error;
  const unavailable = new DatabaseUnavailable(reason, code, file, error);
  if (lastLogged !== code) {
    lastLogged = code;
    console.error(`Database unavailable: ${unavailable.message}`);
  }
  return unavailable;
}

/** A healthy write clears the memory of the last failure, so the next failure is logged again. */
export function noteDatabaseHealthy() {
  lastLogged = "";
}

const INVARIANTS = {
  "at least one active administrator": "last_admin",
  "no manager cycles": "manager_cycle",
} as const;

export type Invariant = (typeof INVARIANTS)[keyof typeof INVARIANTS];

/** Which invariant the database refused a write for (its triggers say "invariant: …"). */
export function brokenInvariant(error: unknown): Invariant | undefined {
  const message = error instanceof Error ? error.message : "";
  const match = /invariant: (.+)$/.exec(message);
  return match ? INVARIANTS[match[1] as keyof typeof INVARIANTS] : undefined;
}
