import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, vi } from "vitest";

// Each test file gets its own SQLite file; modules read DATABASE_PATH when first used.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-test-"));
process.env.DATABASE_PATH = path.join(dir, "test.db");
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
