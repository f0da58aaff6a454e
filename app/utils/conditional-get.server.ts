/**
 * ETags and 304s for pages and their `.data`: a browser that comes back to a page it has seen
 * (a lesson re-opened, a report refreshed) gets "304 Not Modified" when nothing on it changed,
 * and the server skips rendering and sending it. The tag is a hash of what the page is made of:
 * the build, the URL and the serialised loader data (the lesson's stored HTML by version, the
 * reader's progress, the viewer), so anything that changes the page changes the tag.
 */
import { createHash } from "node:crypto";

/** Browsers keep the page but ask again each time (If-None-Match), as for any private page. */
export const REVALIDATE = "private, no-cache";

/** Reads a stream whole (the loader data: a few kilobytes). */
export async function readWhole(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return chunks;
}

export function replay(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/**
 * A tag for content made of `parts`. Weak for pages: two renders of the same data differ in
 * their CSP nonce, not in what the reader sees.
 */
export function etagOf(parts: (string | Uint8Array)[], { weak }: { weak: boolean }): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  const tag = `"${hash.digest("base64url").slice(0, 27)}"`;
  return weak ? `W/${tag}` : tag;
}

/** The request already has this version (If-None-Match, compared weakly as RFC 9110 says). */
export function hasVersion(request: Request, etag: string): boolean {
  const header = request.headers.get("If-None-Match");
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

/** The 304 for `etag`: no body, and none of the page's other headers (its CSP nonce stays). */
export const notModified = (etag: string) =>
  new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": REVALIDATE } });
