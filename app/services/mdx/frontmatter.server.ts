/**
 * Frontmatter: YAML only, parsed here and nowhere else.
 *
 * gray-matter (inside mdx-bundler) evaluates `---js` frontmatter and strips only one byte-order
 * mark, so it must never see a frontmatter block: the compile hands it the body with the
 * frontmatter lines blanked, and `grayMatterOptions` below refuses every engine in case one
 * slips through anyway.
 */
import { LineCounter, isMap, isScalar, parseDocument, visit, type Node } from "yaml";
import { sortErrors, type Point, type SourceError } from "./errors.server";

export interface FrontmatterResult {
  /** The parsed mapping, or undefined when it could not be parsed. */
  data: Record<string, unknown> | undefined;
  /** Where each top-level key is in the file. */
  keys: ReadonlyMap<string, Point>;
  /** The source with the frontmatter lines blanked (line numbers unchanged). */
  body: string;
  /** The frontmatter cannot be separated from the body: do not compile. */
  fatal: boolean;
  errors: SourceError[];
}

/** Byte-order marks and other invisible characters, any number of them, before the first line. */
const LEADING_MARKS = /^[\uFEFF\u200B-\u200D\u2060\u180E]+/;
const FENCE = /^---[ \t]*\r?$/;
const FENCE_END = /^(?:---|\.\.\.)[ \t]*\r?$/;
/** Keys that would reach Object.prototype in code that copies the data. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The source as every later step sees it: without leading byte-order marks (line 1 only). */
export function stripLeadingMarks(source: string): string {
  return source.replace(LEADING_MARKS, "");
}

function refuseEngine(): never {
  throw new Error("frontmatter reached gray-matter: only Staffroom's YAML reader may parse it");
}

/** For mdx-bundler: gray-matter with no engine at all (its defaults include one that evaluates). */
export function grayMatterOptions<T extends object>(options: T): T {
  const engines = Object.fromEntries(
    ["yaml", "yml", "json", "javascript", "js", "coffee", "coffeescript", "cson", "toml"].map(
      (name) => [name, refuseEngine],
    ),
  );
  return { ...options, language: "yaml", engines };
}

export function readFrontmatter(source: string, file: string): FrontmatterResult {
  /** Without a body the frontmatter could not be separated from it: nothing is compiled. */
  const fail = (errors: SourceError[], body?: string): FrontmatterResult => ({
    data: undefined,
    keys: new Map(),
    body: body ?? "",
    fatal: body === undefined,
    errors,
  });
  const text = stripLeadingMarks(source);
  const lines = text.split("\n");
  const first = lines[0] ?? "";
  if (first.startsWith("---") && !FENCE.test(first)) {
    const lang = first.slice(3).trim();
    return fail([
      {
        file,
        line: 1,
        column: 4,
        message: `\`---${lang}\` frontmatter is not allowed: only YAML frontmatter (\`---\`) is`,
      },
    ]);
  }
  if (!FENCE.test(first))
    return { data: undefined, keys: new Map(), body: text, fatal: false, errors: [] };
  const end = lines.findIndex((line, i) => i > 0 && FENCE_END.test(line));
  if (end < 0) {
    return fail([
      {
        file,
        line: 1,
        column: 1,
        message: "frontmatter is not closed: add a line `---` after it",
      },
    ]);
  }
  const body = lines.map((l, i) => (i <= end ? "" : l)).join("\n");
  const parsed = parseYaml(lines.slice(1, end).join("\n"), file);
  if (!parsed.data) return fail(parsed.errors, body);
  return { data: parsed.data, keys: parsed.keys, body, fatal: false, errors: [] };
}

/** YAML without aliases, tags or prototype keys; positions are lines of the file (YAML starts on 2). */
function parseYaml(
  yamlText: string,
  file: string,
): { data?: Record<string, unknown>; keys: Map<string, Point>; errors: SourceError[] } {
  const keys = new Map<string, Point>();
  const errors: SourceError[] = [];
  const lineCounter = new LineCounter();
  const at = (offset: number, message: string) => {
    const pos = lineCounter.linePos(offset);
    errors.push({ file, line: pos.line + 1, column: pos.col, message });
  };
  try {
    const doc = parseDocument(yamlText, { lineCounter, prettyErrors: true, uniqueKeys: true });
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      errors.push({
        file,
        line: (pos?.line ?? 1) + 1,
        column: pos?.col ?? 1,
        message: `invalid YAML frontmatter: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
      });
    }
    if (errors.length > 0) return { keys, errors };
    const aliases: { source: string; offset: number }[] = [];
    visit(doc, {
      Alias(_, node) {
        aliases.push({ source: node.source, offset: node.range?.[0] ?? 0 });
      },
      Pair(_, pair) {
        if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value)))
          at(
            pair.key.range?.[0] ?? 0,
            `frontmatter key \`${String(pair.key.value)}\` is not allowed`,
          );
      },
      Node(_, node: Node) {
        if (!node.tag) return;
        // The tag is written before the value on its line: report where the tag starts.
        const start = node.range?.[0] ?? 0;
        const lineStart = yamlText.lastIndexOf("\n", start - 1) + 1;
        const tag = [...yamlText.slice(lineStart, start).matchAll(/(^|[\s,[{:-])!/g)].at(-1);
        at(
          tag ? lineStart + tag.index + tag[1]!.length : start,
          `YAML tags (\`${node.tag.replace(/^tag:yaml\.org,2002:/, "!!")}\`) are not allowed in frontmatter`,
        );
      },
    });
    // Aliases are how "billion laughs" multiplies a few lines into gigabytes: none are allowed.
    if (aliases.length > 0) {
      const count = aliases.length > 1 ? ` (${aliases.length} in this file)` : "";
      at(
        aliases[0]!.offset,
        `YAML aliases such as \`*${aliases[0]!.source}\` are not allowed in frontmatter${count}`,
      );
    }
    if (errors.length > 0) return { keys, errors: sortErrors(errors) };
    const value: unknown = doc.toJS({ maxAliasCount: 0 });
    if (value == null) return { data: {}, keys, errors };
    if (typeof value !== "object" || Array.isArray(value)) {
      errors.push({
        file,
        line: 2,
        column: 1,
        message: "frontmatter must be a set of `key: value` lines",
      });
      return { keys, errors };
    }
    for (const item of isMap(doc.contents) ? doc.contents.items : []) {
      if (isScalar(item.key) && item.key.range) {
        const pos = lineCounter.linePos(item.key.range[0]);
        keys.set(String(item.key.value), { line: pos.line + 1, column: pos.col });
      }
    }
    return { data: value as Record<string, unknown>, keys, errors };
  } catch (error) {
    // The yaml package throws on resource exhaustion (deep nesting); report it, never crash.
    errors.push({
      file,
      line: 2,
      column: 1,
      message: `could not read the YAML frontmatter: ${(error as Error)?.message ?? String(error)}`,
    });
    return { keys, errors };
  }
}
