/**
 * The server as production runs it (`node server.js`, NODE_ENV=production, the built app), on a
 * free loopback port, with the benchmark routes switched on (app/utils/benchmark.server.ts).
 * Where the data lives is `databaseEnv()`'s business: the one place an engine switch would go.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { performance } from "node:perf_hooks";

export interface BenchServer {
  url: string;
  /** Milliseconds from spawn to the first `/healthz` 200. */
  startMs: number;
  logs: () => string;
  /** CPU time used so far by the server's processes (the primary and its workers), in ms. */
  cpuMs: () => number;
  /** Per serving process (the workers, or the one process): its main thread's time so far. */
  mainThreads: () => MainThreadTime[];
  stop: () => Promise<void>;
}

export interface ServerOptions {
  databasePath: string;
  coursesDir?: string;
  /** WEB_CONCURRENCY; 1 by default, as in production. */
  workers?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process and its children (workers), from /proc. */
function processTreeCpuMs(pid: number): number {
  try {
    // The command may hold spaces: the figures start after its closing parenthesis.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    return own + children(pid).reduce((n, child) => n + processTreeCpuMs(child), 0);
  } catch {
    return 0; // the process has gone
  }
}

export interface MainThreadTime {
  pid: number;
  /** On a CPU. */
  runningMs: number;
  /** Runnable, but waiting for a CPU (Linux schedstat). */
  waitingMs: number;
}

function children(pid: number): number[] {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" "))
    .filter(Boolean)
    .map(Number);
}

function servingMainThreads(pid: number): MainThreadTime[] {
  try {
    const workers = children(pid);
    return (workers.length > 0 ? workers : [pid]).map((p) => {
      const [running, waiting] = fs
        .readFileSync(`/proc/${p}/task/${p}/schedstat`, "utf8")
        .split(" ")
        .map(Number);
      return { pid: p, runningMs: running! / 1e6, waitingMs: waiting! / 1e6 };
    });
  } catch {
    return [];
  }
}

/** The environment that points a server at its data. */
export const databaseEnv = (databasePath: string) => ({ DATABASE_PATH: databasePath });

/** GET over a fresh connection (so that, with several workers, each call may reach another). */
export function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: undefined as T });
          }
        });
      })
      .on("error", reject);
  });
}

export async function startBenchServer(options: ServerOptions): Promise<BenchServer> {
  if (!fs.existsSync("build/server/index.js")) {
    throw new Error("No build found: run `npm run build` first.");
  }
  return startServing([...(options.nodeArgs ?? []), "server.js"], (url) => ({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    ORIGIN: url,
    WEB_CONCURRENCY: String(options.workers ?? 1),
    STAFFROOM_BENCHMARK: "1",
    ...(options.coursesDir ? { COURSES_DIR: options.coursesDir } : {}),
    ...databaseEnv(options.databasePath),
  }));
}

/**
 * The machine's own ceiling for P6 (bench/ceiling-server.js): a bare node:http server doing a
 * fixed amount of CPU work per request, with one process or several.
 */
export const startCeilingServer = (workers: number) =>
  startServing(["bench/ceiling-server.js"], () => ({ WORKERS: String(workers) }), "/");

/** Spawns `node <args>` on a free loopback port and waits until `healthPath` answers 200. */
async function startServing(
  args: string[],
  envFor: (url: string) => Record<string, string>,
  healthPath = "/healthz",
): Promise<BenchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, PORT: String(port), ...envFor(url) },
    stdio: ["ignore", "pipe", "pipe"],
    // A session of its own: Linux shares CPU time between sessions (autogroups), and a server
    // should not share its share with the load generator.
    detached: true,
  });
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  child.once("exit", () => process.off("exit", orphanGuard));
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    const healthy = await getJson(`${url}${healthPath}`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The server did not become healthy within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const startMs = performance.now() - started;
  return {
    url,
    startMs,
    logs: () => output,
    cpuMs: () => processTreeCpuMs(child.pid!),
    mainThreads: () => servingMainThreads(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
