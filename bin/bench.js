#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts module's exported `run()` in its own process (a
// fresh heap and database handle each; tsx as for bin/staffroom.js), then prints one table of the
// figures against their DESIGN budgets. Exits 1 when a budget is missed or a module fails.
// `npm run bench -- reports` runs only the modules whose file name contains "reports";
// `npm run bench -- --engine postgres` runs them on PostgreSQL: the server in DATABASE_URL (its
// user must be allowed to create databases), or else a throwaway cluster (bin/pg-cluster.js).
import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

if (process.argv[2] === "--module") {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  const file = process.argv[3];
  try {
    const mod = await import(pathToFileURL(file).href);
    const results = await mod.run();
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

function runModule(file) {
  return new Promise((resolve) => {
    let message;
    const child = fork(fileURLToPath(import.meta.url), ["--module", file], {
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

const rows = [];
let failed = false;
for (const name of modules) {
  const started = Date.now();
  process.stderr.write(`Running bench/${name}…\n`);
  const outcome = await runModule(path.join(dir, name));
  process.stderr.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (outcome.error) {
    failed = true;
    rows.push([name, "error", "", "", "FAIL"]);
    console.error(`bench/${name} failed:\n${outcome.error}`);
    continue;
  }
  for (const r of outcome.results) {
    const higher = r.better === "higher";
    const pass =
      r.budget === undefined
        ? ""
        : (higher ? r.value >= r.budget : r.value <= r.budget)
          ? "pass"
          : "FAIL";
    if (pass === "FAIL") failed = true;
    const figure = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(1);
    const budget = r.budget === undefined ? "" : `${higher ? "≥" : "≤"} ${r.budget} ${r.unit}`;
    rows.push([r.name, `${figure} ${r.unit}`, budget, name.replace(/\.bench\.ts$/, ""), pass]);
  }
}

cluster?.stop();

const header = ["Measure", "Value", "Budget", "Module", "Result"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join("  ")
    .trimEnd();
console.log(`\nEngine: ${engine === "postgres" ? "PostgreSQL" : "SQLite"}`);
console.log(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}`);
for (const row of rows) console.log(line(row));
process.exitCode = failed ? 1 : 0;
