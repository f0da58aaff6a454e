import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { createTestDatabase, testPostgresServer } from "./helpers/postgres";

// Each test file gets its own database: an SQLite file, or under `npm run test:pg` a new
// PostgreSQL database. Modules read DATABASE_PATH and DATABASE_URL when first used.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-test-"));
process.env.DATABASE_PATH = path.join(dir, "test.db");
const server = testPostgresServer();
if (server) process.env.DATABASE_URL = await createTestDatabase(server);
else delete process.env.DATABASE_URL;
process.env.NODE_ENV = "test";

// An unexpected console.error fails the test that caused it.
let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    throw new Error(`console.error was called: ${args.map(String).join(" ")}`);
  });
});
afterEach(() => {
  errorSpy.mockRestore();
});
