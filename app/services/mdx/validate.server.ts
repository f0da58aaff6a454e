/**
 * The course content validator: a remark plugin over the MDX syntax tree that runs before any
 * code is generated. It records every problem with its position and then throws, so no
 * JavaScript is ever generated for refused content. Allowed: the component registry with its
 * props, the widgets, a list of plain HTML elements and attributes, and literal expressions.
 */
import { mdxRegistry, type MdxComponentSpec, type MdxPropSpec } from "~/components/mdx";
import { widgetPropChecks } from "~/components/mdx/widgets";
import type { Point, SourceError } from "./errors.server";
import type { QuestionOutline, QuizOutline } from "./quiz-quality.server";
import { HEADING_LINK, headingIds, textOf } from "./heading-ids.server";
import { URL_ATTRIBUTES, imageProblem, linkProblem } from "./urls.server";

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
export interface MdNode {
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

/** Elements refused outright, with a message that names them. */
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

function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

function isBlank(node: MdNode): boolean {
  return node.type === "text" && !(node.value ?? "").trim();
}

function startOf(node: MdNode): Point {
  return node.position?.start ?? { line: 1, column: 1 };
}

const BLOCKS = new Set([
  "paragraph",
  "heading",
  "list",
  "listItem",
  "blockquote",
  "mdxJsxFlowElement",
]);

/** The text a reader sees, without Markdown, whitespace collapsed. */
function plainText(node: MdNode): string {
  const text = (n: MdNode): string =>
    n.type === "text" || n.type === "inlineCode"
      ? (n.value ?? "")
      : (n.children ?? []).map((c) => (BLOCKS.has(c.type) ? ` ${text(c)} ` : text(c))).join("");
  return text(node).replace(/\s+/g, " ").trim();
}

function isElement(node: MdNode): boolean {
  return node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement";
}

export class Validator {
  readonly errors: SourceError[] = [];
  /** Each quiz's questions and choices as plain text, for the quiz-quality warnings. */
  readonly quizzes: QuizOutline[] = [];
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
    if (name === "Question") this.questionShape(node, parent, content);
    // A widget checks its own props; `courses check` reports what it would show the reader.
    if (isWidget && props) {
      for (const problem of widgetPropChecks[name]?.(props) ?? []) {
        this.error(node, `\`<${name}>\`: ${problem}`);
      }
    }
    walkChildren();
  }

  private quizShape(node: MdNode, content: MdNode[]) {
    this.quizzes.push({ at: startOf(node), questions: [] });
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

  private questionShape(node: MdNode, parent: MdNode | undefined, content: MdNode[]) {
    const outline: QuestionOutline = { at: startOf(node), choices: [] };
    if (parent?.name === "Quiz") this.quizzes.at(-1)?.questions.push(outline);
    let choices = 0;
    let correct = 0;
    let explanations = 0;
    for (const c of content) {
      if (isElement(c) && c.name === "Choice") {
        choices++;
        const attr = c.attributes?.find(
          (a) => a.type === "mdxJsxAttribute" && a.name === "correct",
        );
        const isCorrect =
          attr !== undefined &&
          (attr.value == null ||
            (typeof attr.value !== "string" && programLiteral(attr.value.data?.estree) === true));
        if (isCorrect) correct++;
        outline.choices.push({ text: plainText(c), correct: isCorrect });
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
    const image = spec.image ? imageProblem(value) : undefined;
    if (image) return `must be an image URL: ${image}`;
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
