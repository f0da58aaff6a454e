/**
 * The nesting limit. The Markdown parser takes time that grows with the square of the nesting
 * (a 200 KB line of `>` takes minutes) and every later step recurses, so nesting is bounded twice:
 * a linear scan of the text before parsing, and a walk of the parsed tree before anything recurses
 * over it. A level is a blockquote, a list, an element, an emphasis or a link; real lessons use
 * fewer than ten.
 */
import type { Point, SourceError } from "./errors.server";

export const MAX_NESTING = 32;

function tooDeep(file: string, at: Point, levels: number): SourceError {
  return {
    file,
    ...at,
    message: `nested too deeply (${levels} levels; the limit is ${MAX_NESTING})`,
  };
}

// Sticky patterns, matched in place: slicing a 200 KB line at every character would be quadratic.
const CONTAINER = /[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))/y;
const FENCE = /[ \t]*(`{3,}|~{3,})/y;
const TAG_START = /<(\/?)([A-Za-z][\w.:-]*)?/y;
const AUTOLINK = /<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>/y;
const RUN = /`+|[*_]+/y;
const WORD = /[\p{L}\p{N}]/u;

function matchAt(pattern: RegExp, line: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(line);
}

/** Where a tag whose name ends at `from` ends on this line (after its `>`), or -1 if it goes on. */
function tagEnd(line: string, from: number): number {
  let braces = 0;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '"' || c === "'") {
      const close = line.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === "{") braces++;
    else if (c === "}") braces--;
    else if (c === ">" && braces <= 0) return i + 1;
  }
  return -1;
}

/**
 * Estimates the nesting of the source text in one pass, without parsing it: containers at the
 * start of each line, open elements, open brackets and braces, and emphasis openers.
 */
export function scanNesting(body: string, file: string): SourceError | undefined {
  let deepest = 0;
  let first: Point | undefined;
  let elements = 0;
  let inline = 0;
  let fence: string | undefined;
  const lines = body.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = 0;
    let containers = 0;
    const note = (column: number) => {
      const depth = containers + elements + inline;
      if (depth > MAX_NESTING && !first) first = { line: n + 1, column: column + 1 };
      deepest = Math.max(deepest, depth);
    };
    for (let m = matchAt(CONTAINER, line, 0); m; m = matchAt(CONTAINER, line, i)) {
      containers++;
      i += m[0].length;
      note(i - 1);
    }
    note(i);
    const marker = matchAt(FENCE, line, i)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    if (!line.slice(i).trim()) inline = 0;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === "<") {
        const tag = matchAt(TAG_START, line, i)!;
        if (matchAt(AUTOLINK, line, i) || (!tag[2] && line[i + tag[0].length] !== ">")) continue;
        const end = tagEnd(line, i + tag[0].length);
        if (tag[1]) elements = Math.max(0, elements - 1);
        else if (end < 0 || line[end - 2] !== "/") {
          elements++;
          note(i);
        }
        if (end < 0) break;
        i = end - 1;
      } else if (c === "/" && line[i + 1] === ">") {
        elements = Math.max(0, elements - 1); // the end of a self-closing tag that spans lines
      } else if (c === "[" || c === "{") {
        inline++;
        note(i);
      } else if (c === "]" || c === "}") {
        inline = Math.max(0, inline - 1);
      } else if (c === "`" || c === "*" || c === "_") {
        const run = matchAt(RUN, line, i)![0];
        if (c === "`") {
          // A code span: nothing inside it nests.
          const close = line.indexOf(run, i + run.length);
          i = (close < 0 ? i : close) + run.length - 1;
          continue;
        }
        const before = line[i - 1] ?? " ";
        const after = line[i + run.length] ?? " ";
        if (WORD.test(after) && !WORD.test(before)) {
          inline++;
          note(i);
        } else if (WORD.test(before) && !WORD.test(after)) inline = Math.max(0, inline - 1);
        i += run.length - 1;
      }
    }
  }
  return first ? tooDeep(file, first, deepest) : undefined;
}

interface TreeNode {
  type: string;
  children?: TreeNode[];
  position?: { start: Point };
}

const LEVELS = new Set([
  "blockquote",
  "list",
  "mdxJsxFlowElement",
  "mdxJsxTextElement",
  "emphasis",
  "strong",
  "delete",
  "link",
  "linkReference",
]);

/** The parsed tree's nesting, walked without recursion. */
export function treeNesting(root: TreeNode, file: string): SourceError | undefined {
  let deepest = 0;
  let first: Point | undefined;
  const stack: [TreeNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, parentDepth] = stack.pop()!;
    const depth = parentDepth + (LEVELS.has(node.type) ? 1 : 0);
    if (depth > MAX_NESTING && !first) first = node.position?.start ?? { line: 1, column: 1 };
    deepest = Math.max(deepest, depth);
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth]);
  }
  return first ? tooDeep(file, first, deepest) : undefined;
}
