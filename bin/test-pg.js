#!/usr/bin/env node
// `npm run test:pg [vitest arguments]`: the whole vitest suite on PostgreSQL. Starts a throwaway
// cluster (bin/pg-cluster.js) unless DATABASE_URL names a server whose user may create databases;
// each test file then gets a database of its own there (test/setup.ts), as it gets an SQLite file
// under `npm test`. On a given server, the test databases are dropped at the end.
import { spawn } from "node:child_process";
import pg from "pg";
import { startThrowawayCluster } from "./pg-cluster.js";

const given = process.env.DATABASE_URL;
const cluster = given ? undefined : await startThrowawayCluster();
const server = given ?? cluster.url;
console.log(
  given
    ? `PostgreSQL tests on the server in DATABASE_URL.`
    : `PostgreSQL tests on a throwaway cluster (${server}).`,
);

async function dropTestDatabases() {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select datname from pg_database where datname like 'staffroom\\_test\\_%'",
    );
    for (const { datname } of rows)
      await client.query(`drop database ${pg.escapeIdentifier(datname)} with (force)`);
  } finally {
    await client.end();
  }
}

const env = { ...process.env, STAFFROOM_TEST_POSTGRES: server };
delete env.DATABASE_URL;
const child = spawn(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", ...process.argv.slice(2)],
  { stdio: "inherit", env },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
try {
  if (cluster) cluster.stop();
  else await dropTestDatabases();
} finally {
  process.exit(code);
}
