/**
 * Compile once, render once: one MDX source (a lesson or a course introduction) is checked,
 * bundled with mdx-bundler, evaluated once here with the component registry and rendered to
 * static HTML. Interactive components (Quiz, Acknowledge, widgets) render as markers; the HTML
 * is split on them into segments, and the islands are returned as plain data. Quiz answer keys
 * are pulled out into `answerKey`, which the server keeps to itself.
 *
 * This runs in the compile worker only (compile-worker.server.ts), never on the request path.
 */
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
import { Choice, Explanation, Question, mdxComponents, mdxRegistry } from "~/components/mdx";
import type {
  AnswerKey,
  IslandData,
  QuizAnswerKey,
  QuizIsland,
  QuizQuestionData,
} from "~/components/mdx/islands";
import { widgets } from "~/components/mdx/widgets";
import { sha256Hex } from "~/utils/crypto.server";
import { MdxError, buildErrors, fileError, sortErrors, type SourceError } from "./errors.server";
import { grayMatterOptions, readFrontmatter } from "./frontmatter.server";
import { rehypeHeadingIds } from "./heading-ids.server";
import { scanNesting, treeNesting } from "./nesting.server";
import { quizQualityWarnings } from "./quiz-quality.server";
import { Validator, type MdNode } from "./validate.server";

export interface CompiledMdx {
  segments: string[];
  islands: IslandData[];
  answerKey: AnswerKey;
  assessedHash: string;
  /** Quiz-quality findings (`courses check` lists them; nothing else uses them). */
  warnings: SourceError[];
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
      ...(typeof q.props.revisit === "string" && { revisit: q.props.revisit }),
      choices,
    });
    key.questions[qid] = { correct, explanationHtml };
  }
  return { island: { kind: "quiz", id, passMark, ...(feedback && { feedback }), questions }, key };
}

function toJson(value: unknown): Record<string, unknown> {
  const { children: _children, ...rest } = (value ?? {}) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** Adds a check that runs as soon as the tree is parsed, before any plugin recurses over it. */
function nestingLimit(validator: Validator, file: string) {
  return function (this: { data(): Record<string, unknown[] | undefined> }) {
    const data = this.data();
    const transforms = [
      (tree: unknown) => {
        const problem = treeNesting(tree as MdNode, file);
        if (!problem) return;
        validator.errors.push(problem);
        throw new Error("refused by the nesting limit");
      },
    ];
    data.fromMarkdownExtensions = [...(data.fromMarkdownExtensions ?? []), { transforms }];
  };
}

const notTopLevel = (file: string) =>
  new MdxError([fileError(file, "interactive elements must be at the top level of the lesson")]);

/** Validates, bundles and renders one source. Throws MdxError with every problem found. */
export async function compileSource(source: string, file: string): Promise<CompiledMdx> {
  const front = readFrontmatter(source, file);
  // A frontmatter that cannot be separated from the body stops here; YAML errors are reported
  // together with the body's errors. (Frontmatter *fields* are the caller's to check.)
  if (front.fatal) throw new MdxError(front.errors);
  const tooDeep = scanNesting(front.body, file);
  if (tooDeep) throw new MdxError(sortErrors([...front.errors, tooDeep]));

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
      grayMatterOptions,
      mdxOptions(options) {
        // Replaces mdx-bundler's frontmatter plugins: the frontmatter is already blanked out.
        options.remarkPlugins = [nestingLimit(validator, file), remarkGfm, validate];
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
      fileError(file, `could not render: ${(error as Error)?.message ?? String(error)}`),
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
    if (!entry || Number(parts[i]) !== islands.length) throw notTopLevel(file);
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
  if (islands.length !== collected.length || islands.length !== validator.islandCount)
    throw notTopLevel(file);

  return {
    segments,
    islands,
    answerKey,
    assessedHash: assessedHashOf(islands, answerKey),
    warnings: quizQualityWarnings(file, validator.quizzes),
  };
}

/**
 * sha256 of everything assessed: quiz items, answer keys, pass marks, acknowledgement text.
 * Explanations are teaching, not assessment: editing one keeps earlier completions valid.
 */
function assessedHashOf(islands: IslandData[], answerKey: AnswerKey): string {
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
  return sha256Hex(JSON.stringify(assessed));
}
