import { spawn, type ChildProcess } from "node:child_process";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Output so far. */
  stdout: () => string;
  done: Promise<CliResult>;
}

/** Starts `node <argv>` against this test file's database unless `env` names another. */
export function startNode(argv: string[], env: Record<string, string> = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.once("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started }),
    ),
  );
  return { child, stdout: () => stdout, done };
}

/** Starts `staffroom <args>` as its own process, as an operator would run it. */
export const startStaffroom = (args: string[], env: Record<string, string> = {}) =>
  startNode(["bin/staffroom.js", ...args], env);

/** Runs `staffroom <args>` to the end; never throws. */
export function staffroom(args: string[], env: Record<string, string> = {}) {
  return startStaffroom(args, env).done;
}
