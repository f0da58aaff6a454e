#!/usr/bin/env node
// `npm run test:faults`: the fault tests F1–F10 (test/faults/*.fault.ts) against the real built
// server, one file at a time, ending with a table fault → script → result. The fast set runs by
// default (CI); `npm run test:faults -- --all` (or FAULTS=all) adds the slow tests. Any other
// argument goes to vitest, e.g. a file filter: `npm run test:faults -- f06`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const all = args.includes("--all") || process.env.FAULTS === "all";
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const child = spawn(
  process.execPath,
  [vitest, "run", "--config", "vitest.faults.config.ts", ...args.filter((a) => a !== "--all")],
  { stdio: "inherit", env: { ...process.env, FAULTS: all ? "all" : "fast" } },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
