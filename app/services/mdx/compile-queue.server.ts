/**
 * One compile at a time, process-wide, in a worker thread with a time limit; identical
 * concurrent requests share one compile. The worker is started on demand and stops when idle.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { widgets } from "~/components/mdx/widgets";
import { sha256Hex } from "~/utils/crypto.server";
import type { CompileJob, CompileReply } from "./compile-worker.server";
import { MdxError, fileError, type SourceError } from "./errors.server";
import type { CompiledMdx } from "./render.server";
import { serialQueue } from "~/utils/serial-queue";

export const MAX_SOURCE_BYTES = 200 * 1024;
export const COMPILE_TIME_LIMIT_MS = 10_000;
const WORKER_IDLE_MS = 5_000;
const WORKER_LIMITS = { maxOldGenerationSizeMb: 512 };

/**
 * Part of every cache key: bump it when the compile output or its rules change. The widget names
 * are included because they decide what validates.
 */
export const COMPILER_VERSION = `staffroom-mdx-4|widgets:${Object.keys(widgets).sort().join(",")}`;

/** The content-keyed cache key: sha256(COMPILER_VERSION + source). */
export function compileKey(source: string): string {
  return sha256Hex(`${COMPILER_VERSION}\n${source}`);
}

/** A source over MAX_SOURCE_BYTES is refused before anything reads it. */
export function sizeProblem(bytes: number, file: string): SourceError | undefined {
  if (bytes <= MAX_SOURCE_BYTES) return undefined;
  return fileError(
    file,
    `file is too large (${Math.ceil(bytes / 1024)} KB; the limit is ${MAX_SOURCE_BYTES / 1024} KB)`,
  );
}

interface CompileThread {
  worker: Worker;
  ready: Promise<void>;
  /** Settles the job in progress: a reply, or the worker's failure. */
  settle?: (reply: CompileReply | Error) => void;
}

let thread: CompileThread | undefined;
let idleTimer: NodeJS.Timeout | undefined;

/**
 * From source (tests, the CLI, the dev server) the worker is TypeScript beside this file; in the
 * built server this module is inlined into build/server/index.js and the worker is bundled
 * beside it.
 */
function startThread(): CompileThread {
  const fromSource = import.meta.url.endsWith(".ts");
  const worker = fromSource
    ? new Worker(new URL("./run-ts-worker.js", import.meta.url), {
        workerData: {
          entry: new URL("./compile-worker.server.ts", import.meta.url).href,
          tsconfig: fileURLToPath(new URL("../../../tsconfig.json", import.meta.url)),
        },
        resourceLimits: WORKER_LIMITS,
      })
    : new Worker(new URL("./mdx-compile-worker.js", import.meta.url), {
        resourceLimits: WORKER_LIMITS,
      });
  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: "ready" | CompileReply) => {
      if (message === "ready") resolve();
      else started.settle?.(message);
    });
    const fail = (error: Error) => {
      if (thread === started) thread = undefined;
      reject(new Error(`the MDX compile worker could not start: ${error.message}`));
      started.settle?.(error);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the compile worker stopped (exit code ${code})`)));
  });
  ready.catch(() => undefined); // awaited by the first job; a later failure settles that job
  const started: CompileThread = { worker, ready };
  return started;
}

function stopThread(stopped: CompileThread) {
  if (thread === stopped) thread = undefined;
  stopped.settle = undefined;
  void stopped.worker.terminate();
}

async function compileInWorker(job: CompileJob, timeLimitMs: number): Promise<CompiledMdx> {
  clearTimeout(idleTimer);
  const current = (thread ??= startThread());
  current.worker.ref();
  try {
    await current.ready;
    const reply = await new Promise<CompileReply | Error>((resolve) => {
      const timer = setTimeout(() => {
        stopThread(current);
        resolve(
          new MdxError([
            fileError(
              job.file,
              `took longer than ${timeLimitMs / 1000} s to compile and was stopped: simplify the file (very long or deeply nested content)`,
            ),
          ]),
        );
      }, timeLimitMs);
      current.settle = (result) => {
        clearTimeout(timer);
        current.settle = undefined;
        resolve(result);
      };
      current.worker.postMessage(job);
    });
    if (reply instanceof MdxError) throw reply;
    if (reply instanceof Error) {
      throw new MdxError([fileError(job.file, `could not compile: ${reply.message}`)]);
    }
    if (!reply.ok) throw new MdxError(reply.errors);
    return reply.compiled;
  } finally {
    if (thread === current) {
      // Idle workers do not keep the process alive, and stop after a while to free memory.
      current.worker.unref();
      idleTimer = setTimeout(() => stopThread(current), WORKER_IDLE_MS).unref();
    }
  }
}

const runSerially = serialQueue();
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
export function compileMdx(
  source: string,
  options: { file: string; timeLimitMs?: number },
): Promise<CompiledMdx> {
  const { file, timeLimitMs = COMPILE_TIME_LIMIT_MS } = options;
  const tooLarge = sizeProblem(Buffer.byteLength(source, "utf8"), file);
  if (tooLarge) return Promise.reject(new MdxError([tooLarge]));
  const id = `${compileKey(source)}\n${file}`;
  const existing = inflight.get(id);
  if (existing) return existing;
  const run = async () => {
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    stats.compiles++;
    try {
      return await compileInWorker({ source, file }, timeLimitMs);
    } finally {
      stats.active--;
    }
  };
  const promise = runSerially(run);
  inflight.set(id, promise);
  const done = () => {
    inflight.delete(id);
  };
  promise.then(done, done);
  return promise;
}
