/**
 * URL rules for course content: links may go to http, https, mailto and tel; images come from
 * https or the course's own folder. These apply to URL-valued places only (Markdown links and
 * images, `href`/`cite`/`src` attributes, component props marked `image`): a title that starts
 * with "Data:" is text, not a URL.
 */
const DANGEROUS_SCHEME = /^(javascript|data|vbscript):/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const LINK_SCHEMES = new Set(["http", "https", "mailto", "tel"]);

/** An image file a course folder may serve at /course-assets/<course>/<file>. */
export const COURSE_ASSET_FILE =
  /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)*\.(png|jpe?g|gif|webp|avif)$/;
const COURSE_ASSET = new RegExp(
  `^/course-assets/[a-z0-9]+(?:-[a-z0-9]+)*/${COURSE_ASSET_FILE.source.slice(1)}`,
);

/** Attributes of plain HTML elements that hold a link. */
export const URL_ATTRIBUTES = new Set(["href", "cite"]);

/** Browsers ignore whitespace and control characters inside a scheme: so does this check. */
function normalizeUrl(url: string): string {
  // eslint-disable-next-line no-control-regex
  return url.replace(/[\u0000-\u0020\u007f-\u009f]+/g, "");
}

function dangerousScheme(url: string): string | undefined {
  const scheme = DANGEROUS_SCHEME.exec(url)?.[1];
  return scheme ? `\`${scheme.toLowerCase()}:\` URLs are not allowed` : undefined;
}

export function linkProblem(url: string): string | undefined {
  const u = normalizeUrl(url);
  const scheme = SCHEME.exec(u)?.[1]?.toLowerCase();
  if (!scheme) return undefined;
  return (
    dangerousScheme(u) ??
    (LINK_SCHEMES.has(scheme)
      ? undefined
      : `\`${scheme}:\` links are not allowed (use http, https, mailto or tel)`)
  );
}

export function imageProblem(url: string): string | undefined {
  const u = normalizeUrl(url);
  const refused = dangerousScheme(u);
  if (refused) return refused;
  if (/^https:\/\/[^/\s]+/i.test(u) && !/\s/.test(url.trim())) return undefined;
  if (COURSE_ASSET.test(u) && !u.includes("..")) return undefined;
  return `image source \`${url}\` is not allowed: use an https:// URL or /course-assets/<course>/<file>.png|jpg|gif|webp|avif`;
}
