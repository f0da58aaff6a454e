/**
 * The MDX pipeline, as the rest of the app uses it. Each rule has its own module in mdx/:
 * frontmatter (YAML only, no engines), validate (the allowed components, HTML and expressions),
 * urls, nesting (depth limits), errors (file:line:col), render (HTML segments, islands, answer
 * key), quiz-quality (warnings), and compile-queue (one compile at a time, in a worker thread,
 * with a time limit). Nothing here runs on the request path: routes read stored results.
 */
export {
  COMPILER_VERSION,
  MAX_SOURCE_BYTES,
  compileCount,
  compileKey,
  compileMdx,
  compileStats,
  resetCompileStats,
  sizeProblem,
} from "./mdx/compile-queue.server";
export { MdxError, fileError, type SourceError } from "./mdx/errors.server";
export { readFrontmatter, stripLeadingMarks } from "./mdx/frontmatter.server";
export { COURSE_ASSET_FILE } from "./mdx/urls.server";
export type { CompiledMdx } from "./mdx/render.server";
