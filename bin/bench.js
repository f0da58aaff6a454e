#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts module's exported `run()` in its own process (a
// fresh heap and database handle each; tsx as for bin/staffroom.js), then prints one table of the
// figures against their DESIGN budgets (P1–P6), also written as JSON to bench/results.json. Exits 1
// when a budget is missed or a module fails.
// `npm run bench -- reports` runs only the modules whose file name contains "reports";
// `npm run bench -- --engine postgres` runs them on PostgreSQL: the server in DATABASE_URL (its
// user must be allowed to create databases), or else a throwaway cluster (bin/pg-cluster.js).
// A module may also export `prepare()`: it runs first, in a process of its own (to build shared
// data without fixing the measuring process's environment).
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

if (process.argv[2] === "--module") {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  const [file, phase] = process.argv.slice(3);
  try {
    const mod = await import(pathToFileURL(file).href);
    const results = phase === "prepare" ? (await mod.prepare(), []) : await mod.run();
    process.send({ results });
  } catch (error) {
    process.send({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  process.exit(0);
}

const args = process.argv.slice(2);
const engineFlag = args.indexOf("--engine");
const engine = engineFlag >= 0 ? args.splice(engineFlag, 2)[1] : "sqlite";
if (engine !== "sqlite" && engine !== "postgres") {
  console.error(`--engine must be sqlite or postgres, not "${engine}".`);
  process.exit(1);
}
const moduleEnv = { ...process.env, NODE_ENV: "production" };
delete moduleEnv.DATABASE_URL;
let cluster;
if (engine === "postgres") {
  const { startThrowawayCluster } = await import("./pg-cluster.js");
  cluster = process.env.DATABASE_URL ? undefined : await startThrowawayCluster();
  // Each module makes its own databases there (bench/database.ts).
  moduleEnv.BENCH_POSTGRES = process.env.DATABASE_URL ?? cluster.url;
}
const only = args;
const dir = path.join(root, "bench");
const modules = fs
  .readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .sort();

// Modules that start servers or read SQLite's files measure SQLite only; a module that runs on
// both engines says so with `export const engines = ["sqlite", "postgres"]`.
const runsOnEngine = (name) =>
  engine === "sqlite" ||
  /export const engines = \[[^\]]*"postgres"/.test(fs.readFileSync(path.join(dir, name), "utf8"));

const exportsPrepare = (file) =>
  /export (async )?function prepare\b/.test(fs.readFileSync(file, "utf8"));

function runModule(file, phase = "run") {
  return new Promise((resolve) => {
    let message;
    const child = fork(fileURLToPath(import.meta.url), ["--module", file, phase], {
      cwd: root,
      // Modules may call gc() between building their data and measuring, so that a collection of
      // the builder's garbage does not land inside a measurement.
      execArgv: ["--expose-gc"],
      env: moduleEnv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m) => (message = m));
    child.on("exit", (code) =>
      resolve(message ?? { error: `exited with code ${code} before reporting` }),
    );
  });
}

const results = [];
let failed = false;
const loadBefore = os.loadavg();
for (const name of modules) {
  if (!runsOnEngine(name)) {
    process.stderr.write(`Skipping bench/${name}: it measures SQLite only.\n`);
    continue;
  }
  const started = Date.now();
  process.stderr.write(`Running bench/${name}…\n`);
  const file = path.join(dir, name);
  const prepared = exportsPrepare(file) ? await runModule(file, "prepare") : {};
  const outcome = prepared.error ? prepared : await runModule(file);
  process.stderr.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const module = name.replace(/\.bench\.ts$/, "");
  if (outcome.error) {
    failed = true;
    results.push({ module, name: "did not finish", pass: false, error: outcome.error });
    console.error(`bench/${name} failed:\n${outcome.error}`);
    continue;
  }
  for (const r of outcome.results) {
    const higher = r.better === "higher";
    const hasBudget = r.budget !== undefined;
    const pass = hasBudget ? (higher ? r.value >= r.budget : r.value <= r.budget) : undefined;
    if (pass === false) failed = true;
    const ratio = hasBudget && r.budget !== 0 ? r.value / r.budget : undefined;
    results.push({ module, ...r, ratio, pass });
  }
}

cluster?.stop();

const number = (n) =>
  typeof n !== "number"
    ? "n/a"
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : n.toFixed(2);
const withUnit = (n, unit) => (unit === "×" ? `${number(n)}×` : `${number(n)} ${unit}`.trimEnd());
const rows = results.map((r) => [
  r.id ?? "",
  r.name,
  r.value === undefined ? "" : withUnit(r.value, r.unit),
  r.budget === undefined
    ? ""
    : `${r.better === "higher" ? "≥" : "≤"} ${withUnit(r.budget, r.unit)}`,
  r.ratio === undefined ? "" : r.ratio.toFixed(2),
  r.pass === undefined ? "" : r.pass ? "pass" : "FAIL",
]);
const header = ["", "Figure", "Value", "Budget", "Value ÷ budget", "Result"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join("  ")
    .trimEnd();
console.log(`\nEngine: ${engine === "postgres" ? "PostgreSQL" : "SQLite"}`);
console.log(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}`);
for (const row of rows) console.log(line(row));
const details = results.filter((r) => r.detail);
if (details.length > 0) {
  console.log("");
  for (const r of details) console.log(`${r.id ? `${r.id} ` : ""}${r.name}: ${r.detail}`);
}

const run = {
  at: new Date().toISOString(),
  engine,
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: { before: loadBefore, after: os.loadavg() },
  modules: modules.map((m) => m.replace(/\.bench\.ts$/, "")),
};
const resultsFile = engine === "postgres" ? "results.postgres.json" : "results.json";
fs.writeFileSync(path.join(dir, resultsFile), `${JSON.stringify({ run, results }, null, 2)}\n`);
console.log(
  `\nWritten to bench/${resultsFile} (load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")} at the start).`,
);
process.exitCode = failed ? 1 : 0;
