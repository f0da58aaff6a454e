import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

export interface RunningServer {
  url: string;
  /** The primary process; with WEB_CONCURRENCY > 1 its workers share its process group. */
  pid: number;
  logs: () => string;
  stop: () => Promise<void>;
  /** kill -9 of the whole process group (primary and workers), as a crash would. */
  crash: () => Promise<void>;
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

/**
 * Starts the built production server (server.js) on a free port against the given files; the
 * database is this test file's own (DATABASE_PATH, see test/setup.ts) unless `env` names another.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  if (!fs.existsSync("build/server/index.js")) {
    throw new Error("No build found: run `npm run build` first (npm test does this for you).");
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["server.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      ORIGIN: url,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that crash() takes the workers down with the primary.
    detached: true,
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  // Detached, it would outlive a test process that ends without its afterAll.
  const reap = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  };
  process.once("exit", reap);
  child.once("exit", () => process.off("exit", reap));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The server did not become healthy within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signal = (name: NodeJS.Signals, group: boolean) =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      child.once("exit", () => resolve());
      if (group) process.kill(-child.pid!, name);
      else child.kill(name);
    });
  return {
    url,
    pid: child.pid!,
    logs: () => output,
    stop: () => signal("SIGTERM", false),
    crash: () => signal("SIGKILL", true),
  };
}
