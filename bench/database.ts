/**
 * Where a bench module's database lives: an SQLite file, or under `npm run bench -- --engine
 * postgres` a new database on that server (BENCH_POSTGRES, set by bin/bench.js).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase } from "../test/helpers/postgres";

export const benchPostgres = () => process.env.BENCH_POSTGRES || undefined;

/** A new, empty database for this module: its postgres:// URL, or an SQLite file path. */
export async function newBenchDatabase(label: string): Promise<string> {
  const server = benchPostgres();
  if (server) return createTestDatabase(server, `bench_${label}`);
  return path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), `staffroom-bench-${label}-`)),
    `${label}.db`,
  );
}
