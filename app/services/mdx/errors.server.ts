/**
 * Every problem with a course file is a SourceError: which file, where, and why. MdxError carries
 * them all, so an author sees every problem in one pass.
 */
export interface SourceError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class MdxError extends Error {
  readonly errors: SourceError[];
  constructor(errors: SourceError[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`).join("\n"));
    this.name = "MdxError";
    this.errors = errors;
  }
}

/** A problem with the file as a whole, reported at its first line. */
export function fileError(file: string, message: string): SourceError {
  return { file, line: 1, column: 1, message };
}

export function sortErrors(errors: SourceError[]): SourceError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

export interface Point {
  line: number;
  column: number;
}

interface BuildMessage {
  text?: string;
  location?: { line: number; column: number } | null;
  detail?: { reason?: string; cause?: unknown; place?: unknown };
}

function placeStart(place: unknown): Point | undefined {
  if (!place || typeof place !== "object") return undefined;
  const p = place as { start?: Point; line?: number; column?: number };
  if (p.start && typeof p.start.line === "number") return p.start;
  if (typeof p.line === "number" && typeof p.column === "number")
    return { line: p.line, column: p.column };
  return undefined;
}

/** esbuild's and the MDX parser's messages, mapped to positions in the source file (1-based). */
export function buildErrors(error: unknown, file: string): SourceError[] {
  const messages = (error as { errors?: BuildMessage[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) {
    return [fileError(file, `could not compile: ${String((error as Error)?.message ?? error)}`)];
  }
  return messages.map((m) => {
    const cause = m.detail?.cause as
      { reason?: string; place?: unknown; message?: string } | undefined;
    const start = placeStart(cause?.place) ?? placeStart(m.detail?.place);
    const reason =
      cause?.reason ?? cause?.message ?? m.detail?.reason ?? m.text ?? "could not compile";
    const line = start?.line ?? m.location?.line ?? 1;
    const column = start?.column ?? (m.location ? m.location.column + 1 : 1);
    return {
      file,
      line: Math.max(1, line),
      column: Math.max(1, column),
      message: `invalid MDX: ${reason.split("\n")[0]}`,
    };
  });
}
