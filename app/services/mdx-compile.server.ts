/**
 * Compile once, render once.
 *
 * One MDX source (a lesson or a course introduction) is parsed with the MDX parser, checked by a
 * strict validator (remark plugin, runs before any code is generated), bundled with mdx-bundler,
 * evaluated once here with the component registry and rendered to static HTML. Interactive
 * components (Quiz, Acknowledge, widgets) render as markers; the HTML is split on them into
 * segments, and the islands are returned as plain data. Quiz answer keys are pulled out into
 * `answerKey`, which the server keeps to itself.
 *
 * Nothing here runs on the request path: routes read the stored result (models/courses.server.ts).
 */
import crypto from "node:crypto";
import { bundleMDX } from "mdx-bundler";
import { getMDXComponent } from "mdx-bundler/client/index.js";
import {
  Children,
  Fragment,
  createElement,
  isValidElement,
  type ReactElement,
  type ReactNode,
} from "react";
import { renderToStaticMarkup } from "react-dom/server";
import remarkGfm from "remark-gfm";
import { LineCounter, isMap, isScalar, parseDocument } from "yaml";
import {
  Choice,
  Explanation,
  Question,
  mdxComponents,
  mdxRegistry,
  type MdxComponentSpec,
  type MdxPropSpec,
} from "~/components/mdx";
import type {
  AnswerKey,
  IslandData,
  QuizAnswerKey,
  QuizIsland,
  QuizQuestionData,
} from "~/components/mdx/islands";
import { widgetPropChecks, widgets } from "~/components/mdx/widgets";
import { HEADING_LINK, headingIds, rehypeHeadingIds, textOf } from "./mdx-heading-ids.server";

export const MAX_SOURCE_BYTES = 200 * 1024;

/**
 * Part of every cache key: bump it when the compile output changes shape. The widget names are
 * included because they decide what validates.
 */
export const COMPILER_VERSION = `staffroom-mdx-2|widgets:${Object.keys(widgets).sort().join(",")}`;

export interface SourceError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface CompiledMdx {
  segments: string[];
  islands: IslandData[];
  answerKey: AnswerKey;
  assessedHash: string;
}

export class MdxError extends Error {
  readonly errors: SourceError[];
  constructor(errors: SourceError[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`).join("\n"));
    this.name = "MdxError";
    this.errors = errors;
  }
}

export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** The content-keyed cache key: sha256(COMPILER_VERSION + source). */
export function compileKey(source: string): string {
  return sha256(`${COMPILER_VERSION}\n${source}`);
}

// ---------------------------------------------------------------------------------------------
// Frontmatter (YAML only, parsed here, never by gray-matter)

export interface FrontmatterResult {
  /** The parsed mapping, or undefined when it could not be parsed. */
  data: Record<string, unknown> | undefined;
  /** 1-based line of each top-level key in the file. */
  keyLines: Record<string, number>;
  /** The source with the frontmatter lines blanked (line numbers unchanged). */
  body: string;
  /** The frontmatter cannot be separated from the body: do not compile. */
  fatal: boolean;
  errors: SourceError[];
}

const FENCE = /^---[ \t]*\r?$/;
const FENCE_END = /^(?:---|\.\.\.)[ \t]*\r?$/;

export function readFrontmatter(source: string, file: string): FrontmatterResult {
  const errors: SourceError[] = [];
  const text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  const lines = text.split("\n");
  const first = lines[0] ?? "";
  if (first.startsWith("---") && !FENCE.test(first)) {
    const lang = first.slice(3).trim();
    errors.push({
      file,
      line: 1,
      column: 4,
      message: `\`---${lang}\` frontmatter is not allowed: only YAML frontmatter (\`---\`) is`,
    });
    return { data: undefined, keyLines: {}, body: "", fatal: true, errors };
  }
  if (!FENCE.test(first))
    return { data: undefined, keyLines: {}, body: text, fatal: false, errors };
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    if (FENCE_END.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    errors.push({
      file,
      line: 1,
      column: 1,
      message: "frontmatter is not closed: add a line `---` after it",
    });
    return { data: undefined, keyLines: {}, body: "", fatal: true, errors };
  }
  const yamlText = lines.slice(1, end).join("\n");
  const body = lines.map((l, i) => (i <= end ? "" : l)).join("\n");
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      errors.push({
        file,
        line: (pos?.line ?? 1) + 1,
        column: pos?.col ?? 1,
        message: `invalid YAML frontmatter: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
      });
    }
    return { data: undefined, keyLines: {}, body, fatal: false, errors };
  }
  const keyLines: Record<string, number> = {};
  if (isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      if (isScalar(item.key) && item.key.range) {
        keyLines[String(item.key.value)] = lineCounter.linePos(item.key.range[0]).line + 1;
      }
    }
  }
  const value: unknown = doc.toJS({ maxAliasCount: 50 });
  if (value == null) return { data: {}, keyLines, body, fatal: false, errors };
  if (typeof value !== "object" || Array.isArray(value)) {
    errors.push({
      file,
      line: 2,
      column: 1,
      message: "frontmatter must be a set of `key: value` lines",
    });
    return { data: undefined, keyLines, body, fatal: false, errors };
  }
  return { data: value as Record<string, unknown>, keyLines, body, fatal: false, errors };
}

// ---------------------------------------------------------------------------------------------
// Validation: a remark plugin over the MDX syntax tree. It records every problem with its
// position and then throws, so no JavaScript is ever generated for refused content.

interface Point {
  line: number;
  column: number;
}
interface EsNode {
  type: string;
  [key: string]: unknown;
}
interface MdAttribute {
  type: "mdxJsxAttribute" | "mdxJsxExpressionAttribute";
  name?: string;
  value?: string | null | { type: string; value: string; data?: { estree?: EsNode } };
  position?: { start: Point };
}
interface MdNode {
  type: string;
  name?: string | null;
  attributes?: MdAttribute[];
  children?: MdNode[];
  value?: string;
  url?: string;
  depth?: number;
  position?: { start: Point };
  data?: { estree?: EsNode };
}

type Registry = Record<string, MdxComponentSpec>;
const registry: Registry = mdxRegistry;

/** Plain HTML that lesson JSX may use, with the attributes each may carry (besides GLOBAL). */
const GLOBAL_ATTRIBUTES = new Set(["id", "title", "lang", "dir", "className"]);
const HTML_ELEMENTS: Record<string, readonly string[]> = {
  a: ["href"],
  abbr: [],
  b: [],
  blockquote: ["cite"],
  br: [],
  caption: [],
  code: [],
  dd: [],
  del: [],
  details: ["open"],
  div: [],
  dl: [],
  dt: [],
  em: [],
  figcaption: [],
  figure: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  hr: [],
  i: [],
  img: ["src", "alt", "width", "height"],
  ins: [],
  kbd: [],
  li: [],
  mark: [],
  ol: ["start", "reversed"],
  p: [],
  pre: [],
  q: ["cite"],
  s: [],
  small: [],
  span: [],
  strong: [],
  sub: [],
  summary: [],
  sup: [],
  table: [],
  tbody: [],
  td: ["colSpan", "rowSpan"],
  tfoot: [],
  th: ["colSpan", "rowSpan", "scope"],
  thead: [],
  time: ["dateTime"],
  tr: [],
  u: [],
  ul: [],
};
const URL_ATTRIBUTES = new Set(["href", "cite"]);
const RAW_DANGEROUS = new Set([
  "script",
  "iframe",
  "style",
  "object",
  "embed",
  "frame",
  "frameset",
  "applet",
  "link",
  "meta",
  "base",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "svg",
  "math",
  "template",
  "noscript",
]);

const DANGEROUS_SCHEME = /^(javascript|data|vbscript):/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const LINK_SCHEMES = new Set(["http", "https", "mailto", "tel"]);
/** An image file a course folder may serve at /course-assets/<course>/<file>. */
export const COURSE_ASSET_FILE =
  /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)*\.(png|jpe?g|gif|webp|avif)$/;
const COURSE_ASSET = new RegExp(
  `^/course-assets/[a-z0-9]+(?:-[a-z0-9]+)*/${COURSE_ASSET_FILE.source.slice(1)}`,
);

/** Browsers ignore whitespace and control characters inside a scheme: so does this check. */
function normalizeUrl(url: string): string {
  // eslint-disable-next-line no-control-regex
  return url.replace(/[\u0000-\u0020\u007f-\u009f]+/g, "");
}

function linkProblem(url: string): string | undefined {
  const u = normalizeUrl(url);
  const scheme = SCHEME.exec(u)?.[1]?.toLowerCase();
  if (scheme && DANGEROUS_SCHEME.test(u)) return `\`${scheme}:\` URLs are not allowed`;
  if (scheme && !LINK_SCHEMES.has(scheme)) {
    return `\`${scheme}:\` links are not allowed (use http, https, mailto or tel)`;
  }
  return undefined;
}

function imageProblem(url: string): string | undefined {
  const u = normalizeUrl(url);
  const scheme = SCHEME.exec(u)?.[1]?.toLowerCase();
  if (scheme && DANGEROUS_SCHEME.test(u)) return `\`${scheme}:\` URLs are not allowed`;
  if (/^https:\/\/[^/\s]+/i.test(u) && !/\s/.test(url.trim())) return undefined;
  if (COURSE_ASSET.test(u) && !u.includes("..")) return undefined;
  return `image source \`${url}\` is not allowed: use an https:// URL or /course-assets/<course>/<file>.png|jpg|gif|webp|avif`;
}

type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };
const NOT_LITERAL: unique symbol = Symbol("not literal");

function literalOf(node: EsNode | undefined): Literal | typeof NOT_LITERAL {
  if (!node) return NOT_LITERAL;
  switch (node.type) {
    case "Literal": {
      if ("regex" in node || "bigint" in node) return NOT_LITERAL;
      const v = node.value;
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean")
        return v;
      return NOT_LITERAL;
    }
    case "UnaryExpression": {
      const arg = node.argument as EsNode | undefined;
      if (
        (node.operator === "-" || node.operator === "+") &&
        arg?.type === "Literal" &&
        typeof arg.value === "number"
      ) {
        return node.operator === "-" ? -arg.value : arg.value;
      }
      return NOT_LITERAL;
    }
    case "TemplateLiteral": {
      const exprs = node.expressions as unknown[];
      const quasis = node.quasis as { value: { cooked: string | null } }[];
      if (exprs.length === 0 && quasis.length === 1 && quasis[0]!.value.cooked != null) {
        return quasis[0]!.value.cooked;
      }
      return NOT_LITERAL;
    }
    case "ArrayExpression": {
      const out: Literal[] = [];
      for (const el of node.elements as (EsNode | null)[]) {
        const v = literalOf(el ?? undefined);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case "ObjectExpression": {
      const out: Record<string, Literal> = {};
      for (const p of node.properties as EsNode[]) {
        if (p.type !== "Property" || p.computed || p.method || p.shorthand || p.kind !== "init")
          return NOT_LITERAL;
        const key = p.key as EsNode;
        let name: string;
        if (key.type === "Identifier") name = String(key.name);
        else if (
          key.type === "Literal" &&
          (typeof key.value === "string" || typeof key.value === "number")
        ) {
          name = String(key.value);
        } else return NOT_LITERAL;
        if (name === "__proto__" || name === "constructor" || name === "prototype")
          return NOT_LITERAL;
        const v = literalOf(p.value as EsNode);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out[name] = v;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** The literal an MDX expression holds; `undefined` for an empty expression (a comment). */
function programLiteral(program: EsNode | undefined): Literal | undefined | typeof NOT_LITERAL {
  if (!program || program.type !== "Program") return NOT_LITERAL;
  const body = program.body as EsNode[];
  if (body.length === 0) return undefined;
  if (body.length !== 1 || body[0]!.type !== "ExpressionStatement") return NOT_LITERAL;
  return literalOf(body[0]!.expression as EsNode);
}

function* stringsIn(value: Literal): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsIn(v);
  else if (value && typeof value === "object")
    for (const v of Object.values(value)) yield* stringsIn(v);
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

function isBlank(node: MdNode): boolean {
  return node.type === "text" && !(node.value ?? "").trim();
}

function isElement(node: MdNode): boolean {
  return node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement";
}

class Validator {
  readonly errors: SourceError[] = [];
  islandCount = 0;
  private readonly headingId = headingIds();
  private readonly headings = new Set<string>();
  private readonly headingLinks: { link: string; at: Point | undefined; prop: string }[] = [];
  constructor(
    private readonly file: string,
    private readonly widgetNames: ReadonlySet<string>,
  ) {}

  private error(at: { position?: { start: Point } } | Point | undefined, message: string) {
    const start = at && "line" in at ? at : at?.position?.start;
    this.errors.push({
      file: this.file,
      line: start?.line ?? 1,
      column: start?.column ?? 1,
      message,
    });
  }

  run(root: MdNode) {
    this.walk(root, undefined, []);
    for (const { link, at, prop } of this.headingLinks) {
      if (!this.headings.has(link.slice(1))) {
        const known = [...this.headings].map((h) => `#${h}`).join(", ");
        this.error(
          at,
          `\`${prop}\` points to \`${link}\`, which is not a heading of this lesson${known ? ` (its headings: ${known})` : ""}`,
        );
      }
    }
  }

  private walk(node: MdNode, parent: MdNode | undefined, ancestors: string[]) {
    switch (node.type) {
      case "mdxjsEsm":
        this.error(
          node,
          `\`import\`/\`export\` is not allowed in course content: ${snippet(node.value ?? "")}`,
        );
        return;
      case "mdxFlowExpression":
      case "mdxTextExpression": {
        const v = programLiteral(node.data?.estree);
        if (v === NOT_LITERAL || (v !== null && typeof v === "object")) {
          this.error(
            node,
            `only literal expressions (text, numbers, true/false/null) are allowed, found \`{${snippet(node.value ?? "")}}\``,
          );
        }
        return;
      }
      case "html":
        this.error(node, "raw HTML is not allowed");
        return;
      case "link":
      case "definition": {
        const problem = linkProblem(node.url ?? "");
        if (problem) this.error(node, problem);
        break;
      }
      case "image": {
        const problem = imageProblem(node.url ?? "");
        if (problem) this.error(node, problem);
        break;
      }
      case "heading":
        // The same ids, in the same order, as rehypeHeadingIds gives the rendered headings.
        if ((node.depth ?? 0) >= 2 && (node.depth ?? 0) <= 4) {
          this.headings.add(this.headingId(textOf(node)));
        }
        break;
      case "mdxJsxFlowElement":
      case "mdxJsxTextElement":
        this.element(node, parent, ancestors);
        return;
    }
    for (const child of node.children ?? []) this.walk(child, node, ancestors);
  }

  private element(node: MdNode, parent: MdNode | undefined, ancestors: string[]) {
    const name = node.name;
    const inner = name ? [...ancestors, name] : ancestors;
    const walkChildren = () => {
      for (const child of node.children ?? []) this.walk(child, node, inner);
    };
    if (!name) {
      this.error(node, "fragments (`<>…</>`) are not allowed");
      walkChildren();
      return;
    }
    if (RAW_DANGEROUS.has(name.toLowerCase())) {
      this.error(node, `raw \`<${name}>\` is not allowed in course content`);
      return;
    }
    const spec = Object.hasOwn(registry, name) ? registry[name] : undefined;
    const isWidget = !spec && this.widgetNames.has(name);
    const html =
      !spec && !isWidget && Object.hasOwn(HTML_ELEMENTS, name) ? HTML_ELEMENTS[name] : undefined;
    if (!spec && !isWidget && !html) {
      const known = [...Object.keys(registry), ...this.widgetNames].join(", ");
      this.error(
        node,
        `unknown element \`<${name}>\`: use one of ${known} or plain HTML such as <p>, <a>, <strong>`,
      );
      walkChildren();
      return;
    }

    const props = this.attributes(node, name, spec, isWidget, html);

    if (spec?.island || isWidget) {
      if (parent?.type !== "root" || node.type !== "mdxJsxFlowElement") {
        const where = ancestors.length
          ? `inside \`<${ancestors[ancestors.length - 1]}>\``
          : "inside a paragraph or list";
        this.error(
          node,
          `\`<${name}>\` must be at the top level of the lesson on its own lines, not ${where}`,
        );
      } else {
        this.islandCount++;
      }
    }
    if (spec?.parent && parent?.name !== spec.parent) {
      this.error(node, `\`<${name}>\` is only allowed directly inside \`<${spec.parent}>\``);
    }
    const content = (node.children ?? []).filter((c) => !isBlank(c));
    if ((spec?.children === "none" || isWidget) && content.length > 0) {
      this.error(node, `\`<${name}>\` takes no content: write it as \`<${name} … />\``);
    }
    if (spec?.children === "required" && content.length === 0) {
      this.error(node, `\`<${name}>\` needs content between \`<${name}>\` and \`</${name}>\``);
    }
    if (name === "Quiz") this.quizShape(node, content);
    if (name === "Question") this.questionShape(node, content);
    // A widget checks its own props; `courses check` reports what it would show the reader.
    if (isWidget && props) {
      for (const problem of widgetPropChecks[name]?.(props) ?? []) {
        this.error(node, `\`<${name}>\`: ${problem}`);
      }
    }
    walkChildren();
  }

  private quizShape(node: MdNode, content: MdNode[]) {
    let questions = 0;
    for (const c of content) {
      if (isElement(c) && c.name === "Question") questions++;
      else if (!isElement(c))
        this.error(c, "only `<Question>` elements may appear inside `<Quiz>`");
      else if (c.name !== "Question")
        this.error(
          c,
          `only \`<Question>\` elements may appear inside \`<Quiz>\`, found \`<${c.name ?? ""}>\``,
        );
    }
    if (questions === 0 && content.length === 0) return; // "needs content" already reported
    if (questions === 0) this.error(node, "`<Quiz>` needs at least one `<Question>`");
  }

  private questionShape(node: MdNode, content: MdNode[]) {
    let choices = 0;
    let correct = 0;
    let explanations = 0;
    for (const c of content) {
      if (isElement(c) && c.name === "Choice") {
        choices++;
        const attr = c.attributes?.find(
          (a) => a.type === "mdxJsxAttribute" && a.name === "correct",
        );
        if (attr) {
          const v =
            attr.value == null
              ? true
              : typeof attr.value === "string"
                ? attr.value
                : programLiteral(attr.value.data?.estree);
          if (v === true) correct++;
        }
      } else if (isElement(c) && c.name === "Explanation") explanations++;
      else if (c.type === "paragraph") {
        this.error(
          c,
          "put each `<Choice>` and the `<Explanation>` on its own line inside `<Question>`",
        );
      } else if (!isElement(c) || (c.name !== "Choice" && c.name !== "Explanation")) {
        this.error(c, "only `<Choice>` and `<Explanation>` may appear inside `<Question>`");
      }
    }
    if (choices < 2)
      this.error(node, `a \`<Question>\` needs at least 2 \`<Choice>\` elements, found ${choices}`);
    if (choices > 26)
      this.error(node, `a \`<Question>\` may have at most 26 choices, found ${choices}`);
    if (choices >= 2 && correct === 0)
      this.error(node, "a `<Question>` needs at least one `<Choice correct>`");
    if (explanations !== 1) {
      this.error(
        node,
        `a \`<Question>\` needs exactly one \`<Explanation>\`, found ${explanations}`,
      );
    }
  }

  /** Checks every attribute; returns the literal props (or undefined when one was refused). */
  private attributes(
    node: MdNode,
    name: string,
    spec: MdxComponentSpec | undefined,
    isWidget: boolean,
    htmlAttrs: readonly string[] | undefined,
  ): Record<string, Literal> | undefined {
    const props: Record<string, Literal> = {};
    let ok = true;
    for (const attr of node.attributes ?? []) {
      const at = attr.position ?? node.position;
      if (attr.type === "mdxJsxExpressionAttribute") {
        this.error(at?.start, `spread attributes (\`{...}\`) are not allowed on \`<${name}>\``);
        ok = false;
        continue;
      }
      const prop = attr.name ?? "";
      if (/^on/i.test(prop)) {
        this.error(at?.start, `event handler attribute \`${prop}\` is not allowed`);
        ok = false;
        continue;
      }
      let value: Literal;
      if (attr.value == null) value = true;
      else if (typeof attr.value === "string") value = attr.value;
      else {
        const v = programLiteral(attr.value.data?.estree);
        if (v === NOT_LITERAL || v === undefined) {
          this.error(
            at?.start,
            `\`${prop}\` on \`<${name}>\` must be a literal value, found \`{${snippet(attr.value.value)}}\``,
          );
          ok = false;
          continue;
        }
        value = v;
      }
      let urlRefused = false;
      for (const s of stringsIn(value)) {
        const m = DANGEROUS_SCHEME.exec(normalizeUrl(s));
        if (m) {
          this.error(
            at?.start,
            `\`${m[1]!.toLowerCase()}:\` URLs are not allowed (in \`${prop}\` on \`<${name}>\`)`,
          );
          urlRefused = true;
          break;
        }
      }
      if (urlRefused) {
        ok = false;
        continue;
      }
      if (spec) {
        const ps: MdxPropSpec | undefined = Object.hasOwn(spec.props, prop)
          ? spec.props[prop]
          : undefined;
        if (!ps) {
          const allowed = Object.keys(spec.props);
          this.error(
            at?.start,
            `\`<${name}>\` has no prop \`${prop}\`${allowed.length ? ` (allowed: ${allowed.join(", ")})` : " (it takes none)"}`,
          );
          ok = false;
          continue;
        }
        const problem = propProblem(ps, value);
        if (problem) {
          this.error(at?.start, `\`${prop}\` on \`<${name}>\` ${problem}`);
          ok = false;
          continue;
        }
        if (ps.headingLink) this.headingLinks.push({ link: String(value), at: at?.start, prop });
      } else if (isWidget) {
        if (["children", "dangerouslySetInnerHTML", "key", "ref", "style"].includes(prop)) {
          this.error(at?.start, `\`${prop}\` is not allowed on \`<${name}>\``);
          ok = false;
          continue;
        }
      } else if (htmlAttrs) {
        const allowed =
          GLOBAL_ATTRIBUTES.has(prop) || htmlAttrs.includes(prop) || /^aria-[a-z]+$/.test(prop);
        if (!allowed) {
          this.error(at?.start, `attribute \`${prop}\` is not allowed on \`<${name}>\``);
          ok = false;
          continue;
        }
        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
          this.error(at?.start, `\`${prop}\` on \`<${name}>\` must be text or a number`);
          ok = false;
          continue;
        }
        if (typeof value === "string") {
          const problem =
            name === "img" && prop === "src"
              ? imageProblem(value)
              : URL_ATTRIBUTES.has(prop)
                ? linkProblem(value)
                : undefined;
          if (problem) {
            this.error(at?.start, problem);
            ok = false;
            continue;
          }
        }
      }
      props[prop] = value;
    }
    if (spec) {
      for (const [prop, ps] of Object.entries(spec.props)) {
        if (ps.required && !(prop in props) && ok) {
          this.error(node, `\`<${name}>\` needs a \`${prop}\` prop`);
        }
      }
    }
    if (htmlAttrs && name === "img" && ok && !("alt" in props))
      this.error(node, "`<img>` needs an `alt` attribute");
    return ok ? props : undefined;
  }
}

function propProblem(spec: MdxPropSpec, value: Literal): string | undefined {
  if (typeof value !== spec.type) return `must be a ${spec.type}`;
  if (typeof value === "string") {
    if (spec.values && !spec.values.includes(value))
      return `must be one of ${spec.values.map((v) => `"${v}"`).join(", ")}`;
    if (spec.image) return imageProblem(value);
    if (spec.headingLink && !HEADING_LINK.test(value))
      return 'must be a link to a heading of this lesson, like "#returns-at-the-counter"';
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "must be a finite number";
    if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
    if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Compile

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

function buildErrors(error: unknown, file: string): SourceError[] {
  const messages = (error as { errors?: BuildMessage[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) {
    return [
      {
        file,
        line: 1,
        column: 1,
        message: `could not compile: ${String((error as Error)?.message ?? error)}`,
      },
    ];
  }
  return messages.map((m) => {
    const cause = m.detail?.cause as
      { reason?: string; place?: unknown; message?: string } | undefined;
    const start = placeStart(cause?.place) ?? placeStart(m.detail?.place);
    const reason =
      cause?.reason ?? cause?.message ?? m.detail?.reason ?? m.text ?? "could not compile";
    const line = start?.line ?? m.location?.line ?? 1;
    const column = start?.column ?? (m.location ? m.location.column + 1 : 1);
    return { file, line, column, message: `invalid MDX: ${reason.split("\n")[0]}` };
  });
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}

function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|li|div|h[1-6]|blockquote|tr)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

function renderChildren(children: ReactNode): string {
  return renderToStaticMarkup(createElement(Fragment, null, children)).trim();
}

function elementsOf(children: ReactNode): ReactElement<Record<string, unknown>>[] {
  return Children.toArray(children).filter((c): c is ReactElement<Record<string, unknown>> =>
    isValidElement(c),
  );
}

type Collected =
  | { kind: "quiz"; props: Record<string, unknown> }
  | { kind: "acknowledge"; props: Record<string, unknown> }
  | { kind: "widget"; widget: string; props: Record<string, unknown> };

const MARKER_TAG = "staffroom-island";
const MARKER_SPLIT = new RegExp(`<${MARKER_TAG} data-n="(\\d+)"></${MARKER_TAG}>`);

function buildQuiz(
  id: string,
  props: Record<string, unknown>,
): { island: QuizIsland; key: QuizAnswerKey } {
  const passMark = typeof props.passMark === "number" ? props.passMark : 0.8;
  const feedback = props.feedback === "immediate" ? ("immediate" as const) : undefined;
  const questions: QuizQuestionData[] = [];
  const key: QuizAnswerKey = { passMark, questions: {} };
  let qn = 0;
  for (const q of elementsOf(props.children as ReactNode)) {
    if (q.type !== Question) continue;
    qn++;
    const qid = `q${qn}`;
    const choices: { id: string; html: string }[] = [];
    const correct: string[] = [];
    let explanationHtml = "";
    let cn = 0;
    for (const part of elementsOf(q.props.children as ReactNode)) {
      if (part.type === Choice) {
        const cid = `${qid}-${String.fromCharCode(97 + cn++)}`;
        choices.push({ id: cid, html: renderChildren(part.props.children as ReactNode) });
        if (part.props.correct === true || part.props.correct === "true") correct.push(cid);
      } else if (part.type === Explanation) {
        explanationHtml = renderChildren(part.props.children as ReactNode);
      }
    }
    questions.push({
      id: qid,
      promptHtml: escapeHtml(String(q.props.prompt ?? "")),
      multiple: correct.length > 1,
      choices,
      ...(typeof q.props.revisit === "string" && { revisit: q.props.revisit }),
    });
    key.questions[qid] = { correct, explanationHtml };
  }
  return { island: { kind: "quiz", id, passMark, ...(feedback && { feedback }), questions }, key };
}

function toJson(value: unknown): Record<string, unknown> {
  const { children: _children, ...rest } = (value ?? {}) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

async function compileNow(source: string, file: string): Promise<CompiledMdx> {
  const front = readFrontmatter(source, file);
  // A frontmatter that cannot be separated from the body stops here; YAML syntax errors are
  // reported together with the body's errors. (Frontmatter *fields* are the caller's to check.)
  if (front.fatal) throw new MdxError(front.errors);

  const widgetNames = new Set(Object.keys(widgets).filter((n) => !Object.hasOwn(mdxRegistry, n)));
  const validator = new Validator(file, widgetNames);
  const validate = () => (tree: unknown) => {
    validator.run(tree as MdNode);
    if (validator.errors.length > 0) throw new Error("refused by the course content validator");
  };

  let code: string;
  try {
    const result = await bundleMDX({
      source: front.body,
      mdxOptions(options) {
        // Replaces mdx-bundler's frontmatter plugins: the frontmatter is already blanked out.
        options.remarkPlugins = [remarkGfm, validate];
        options.rehypePlugins = [rehypeHeadingIds];
        return options;
      },
      esbuildOptions(options) {
        options.minify = false;
        options.sourcemap = false;
        options.logLevel = "silent";
        return options;
      },
    });
    code = result.code;
  } catch (error) {
    if (validator.errors.length > 0)
      throw new MdxError(sortErrors([...front.errors, ...validator.errors]));
    throw new MdxError(sortErrors([...front.errors, ...buildErrors(error, file)]));
  }
  if (front.errors.length > 0) throw new MdxError(front.errors);

  const collected: Collected[] = [];
  const marker = (entry: Collected) => {
    const n = collected.push(entry) - 1;
    return createElement(MARKER_TAG, { "data-n": String(n) });
  };
  const components: Record<string, unknown> = {
    ...mdxComponents,
    Quiz: (props: Record<string, unknown>) => marker({ kind: "quiz", props }),
    Acknowledge: (props: Record<string, unknown>) => marker({ kind: "acknowledge", props }),
  };
  for (const widget of widgetNames) {
    components[widget] = (props: Record<string, unknown>) =>
      marker({ kind: "widget", widget, props });
  }

  let html: string;
  try {
    const Content = getMDXComponent(code);
    html = renderToStaticMarkup(createElement(Content, { components: components as never }));
  } catch (error) {
    throw new MdxError([
      {
        file,
        line: 1,
        column: 1,
        message: `could not render: ${(error as Error)?.message ?? String(error)}`,
      },
    ]);
  }

  const parts = html.split(MARKER_SPLIT);
  const segments: string[] = [];
  const islands: IslandData[] = [];
  const answerKey: AnswerKey = {};
  const counters = { quiz: 0, acknowledge: 0, widget: 0 };
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      segments.push(parts[i]!);
      continue;
    }
    const entry = collected[Number(parts[i])];
    if (!entry || Number(parts[i]) !== islands.length) {
      throw new MdxError([
        {
          file,
          line: 1,
          column: 1,
          message: "interactive elements must be at the top level of the lesson",
        },
      ]);
    }
    if (entry.kind === "quiz") {
      const { island, key } = buildQuiz(`quiz-${++counters.quiz}`, entry.props);
      islands.push(island);
      answerKey[island.id] = key;
    } else if (entry.kind === "acknowledge") {
      const statementHtml = renderChildren(entry.props.children as ReactNode);
      islands.push({
        kind: "acknowledge",
        id: `ack-${++counters.acknowledge}`,
        statementHtml,
        statementText: htmlToText(statementHtml),
      });
    } else {
      islands.push({
        kind: "widget",
        id: `widget-${++counters.widget}`,
        widget: entry.widget,
        props: toJson(entry.props),
      });
    }
  }
  if (islands.length !== collected.length || islands.length !== validator.islandCount) {
    throw new MdxError([
      {
        file,
        line: 1,
        column: 1,
        message: "interactive elements must be at the top level of the lesson",
      },
    ]);
  }

  return { segments, islands, answerKey, assessedHash: assessedHashOf(islands, answerKey) };
}

/**
 * sha256 of everything assessed: quiz items, answer keys, pass marks, acknowledgement text.
 * Explanations are teaching, not assessment: editing one keeps earlier completions valid.
 */
export function assessedHashOf(islands: IslandData[], answerKey: AnswerKey): string {
  const assessed = islands.flatMap((island): unknown[] => {
    if (island.kind === "quiz") {
      const key = answerKey[island.id];
      return [
        {
          kind: "quiz",
          id: island.id,
          passMark: island.passMark,
          // Where a question points for revision is teaching, not assessment.
          questions: island.questions.map(({ revisit: _revisit, ...question }) => question),
          correct: key
            ? Object.fromEntries(Object.entries(key.questions).map(([q, v]) => [q, v.correct]))
            : null,
        },
      ];
    }
    if (island.kind === "acknowledge")
      return [{ kind: "acknowledge", id: island.id, text: island.statementText }];
    return [];
  });
  return sha256(JSON.stringify(assessed));
}

function sortErrors(errors: SourceError[]): SourceError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

// ---------------------------------------------------------------------------------------------
// One compile at a time, process-wide; identical concurrent requests share one compile.

let tail: Promise<unknown> = Promise.resolve();
const inflight = new Map<string, Promise<CompiledMdx>>();
const stats = { compiles: 0, active: 0, maxActive: 0 };

/** How many MDX compiles this process has run (tests use it to prove cache hits). */
export function compileCount(): number {
  return stats.compiles;
}

export function compileStats(): { compiles: number; active: number; maxActive: number } {
  return { ...stats };
}

export function resetCompileStats(): void {
  stats.compiles = 0;
  stats.maxActive = stats.active;
}

/**
 * Validates, compiles and renders one MDX source (frontmatter included; it is skipped here).
 * Throws MdxError with every problem found. Callers check the compiled_mdx cache first.
 */
export function compileMdx(source: string, options: { file: string }): Promise<CompiledMdx> {
  const file = options.file;
  const size = Buffer.byteLength(source, "utf8");
  if (size > MAX_SOURCE_BYTES) {
    return Promise.reject(
      new MdxError([
        {
          file,
          line: 1,
          column: 1,
          message: `file is too large (${Math.ceil(size / 1024)} KB; the limit is ${MAX_SOURCE_BYTES / 1024} KB)`,
        },
      ]),
    );
  }
  const id = `${compileKey(source)}\n${file}`;
  const existing = inflight.get(id);
  if (existing) return existing;
  const run = async () => {
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    stats.compiles++;
    try {
      return await compileNow(source, file);
    } finally {
      stats.active--;
    }
  };
  const promise = tail.then(run, run);
  tail = promise.then(
    () => undefined,
    () => undefined,
  );
  inflight.set(id, promise);
  const done = () => {
    inflight.delete(id);
  };
  promise.then(done, done);
  return promise;
}
