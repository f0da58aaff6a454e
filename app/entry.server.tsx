import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/components/nonce";
import {
  REVALIDATE,
  etagOf,
  hasVersion,
  notModified,
  readWhole,
  replay,
} from "~/utils/conditional-get.server";
import { newNonce, pageSecurityHeaders } from "~/utils/security-headers.server";

// Used by server.js, which only sees the build.
export { onServerStart, onServerStop, startPeriodicJobs } from "~/services/startup.server";
export { isTrustedRequest } from "~/utils/csrf.server";
export { answerDomainErrors } from "~/utils/domain-errors.server";
export { publicOrigin } from "~/utils/env.server";
export { bodyPolicy, readBoundedBody } from "~/services/request-body.server";
export { everyResponseHeaders } from "~/utils/security-headers.server";
export { inRequestScope } from "~/utils/request-scope.server";

const ABORT_DELAY = 5_000;

/** A page: 304 when the browser has this version already (utils/conditional-get.server.ts). */
export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  _loadContext: AppLoadContext,
) {
  const handoff = remixContext.serverHandoffStream;
  if (request.method === "GET" && responseStatusCode === 200 && handoff) {
    // The page is a function of the build, the URL and its loader data: tag it with those.
    const data = await readWhole(handoff);
    const etag = etagOf([remixContext.manifest.version, request.url, ...data], { weak: true });
    if (hasVersion(request, etag)) return notModified(etag);
    responseHeaders.set("ETag", etag);
    responseHeaders.set("Cache-Control", REVALIDATE);
    remixContext = { ...remixContext, serverHandoffStream: replay(data) };
  }
  return renderDocument(request, responseStatusCode, responseHeaders, remixContext);
}

/** `.data` (client-side navigation): the same tags, so that a page seen before is not sent again. */
export async function handleDataRequest(response: Response, { request }: { request: Request }) {
  if (request.method !== "GET" || response.status !== 200 || !response.body) return response;
  const body = await readWhole(response.body);
  const etag = etagOf(body, { weak: false });
  if (hasVersion(request, etag)) return notModified(etag);
  const whole = Buffer.concat(body);
  const headers = new Headers(response.headers);
  headers.set("ETag", etag);
  headers.set("Cache-Control", REVALIDATE);
  headers.set("Content-Length", String(whole.byteLength));
  return new Response(whole, { status: 200, headers });
}

/**
 * The whole document is rendered before the answer starts: no page defers data, so streaming
 * would only split one page into dozens of writes, each flushed through compression on its own.
 * One body is compressed once and sent with its length.
 */
function renderDocument(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  const nonce = newNonce();
  if (process.env.NODE_ENV === "production") {
    for (const [name, value] of Object.entries(pageSecurityHeaders(nonce))) {
      responseHeaders.set(name, value);
    }
  }

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce}
        />
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          const chunks: Buffer[] = [];
          const body = new PassThrough();
          body.on("data", (chunk: Buffer) => chunks.push(chunk));
          body.on("end", () => {
            clearTimeout(deadline);
            const html = Buffer.concat(chunks);
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            responseHeaders.set("Content-Length", String(html.byteLength));
            resolve(new Response(html, { headers: responseHeaders, status: responseStatusCode }));
          });
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(deadline);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors after the shell are logged here; before it, the boundary renders them.
          if (shellRendered) console.error(error);
        },
      },
    );
    const deadline = setTimeout(abort, ABORT_DELAY + 1000);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  console.error(error);
}
