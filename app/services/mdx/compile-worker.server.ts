/**
 * The compile worker: runs compileSource off the main thread, so a pathological file can be
 * stopped (the queue terminates this thread at the time limit) and never blocks the server.
 * Loaded by compile-queue.server.ts: from source through run-ts-worker.js, or bundled as
 * build/server/mdx-compile-worker.js (see vite.config.ts).
 */
import { parentPort } from "node:worker_threads";
import { MdxError, fileError } from "./errors.server";
import { compileSource } from "./render.server";

export interface CompileJob {
  source: string;
  file: string;
}

export type CompileReply =
  | { ok: true; compiled: Awaited<ReturnType<typeof compileSource>> }
  | { ok: false; errors: MdxError["errors"] };

const port = parentPort!;
port.on("message", async ({ source, file }: CompileJob) => {
  let reply: CompileReply;
  try {
    reply = { ok: true, compiled: await compileSource(source, file) };
  } catch (error) {
    reply = {
      ok: false,
      errors:
        error instanceof MdxError
          ? error.errors
          : [fileError(file, `could not compile: ${(error as Error)?.message ?? String(error)}`)],
    };
  }
  port.postMessage(reply);
});
port.postMessage("ready");
