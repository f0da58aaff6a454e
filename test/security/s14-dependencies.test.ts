import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, vi } from "vitest";
import { openDatabase } from "~/utils/db.server";

// S14. `npm audit --omit=dev` needs the registry's advisory endpoint, which the registry this
// project is built against refuses (405); run it in CI where the registry allows it. What needs
// no network is checked here: the SQLite gate and where the runtime packages come from.

vi.mock("better-sqlite3", () => ({
  // A SQLite that reports an old version: openDatabase must refuse it.
  default: class OldSqlite {
    pragma() {}
    close() {}
    prepare() {
      return { get: () => ({ version: "3.45.1" }) };
    }
  },
}));

const MIN = [3, 51, 3];

test("S14 the bundled SQLite is 3.51.3 or newer", async () => {
  const { default: Database } = await vi.importActual<{ default: typeof import("better-sqlite3") }>(
    "better-sqlite3",
  );
  const { version } = new Database(":memory:").prepare("select sqlite_version() version").get() as {
    version: string;
  };
  const parts = version.split(".").map(Number);
  const newer = MIN.findIndex((need, i) => parts[i] !== need);
  expect(newer === -1 || parts[newer]! > MIN[newer]!, version).toBe(true);
});

test("S14 the start refuses an older SQLite with a clear message", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-s14-")), "old.db");
  expect(() => openDatabase(file)).toThrow(
    "SQLite 3.45.1 is too old: Staffroom needs 3.51.3 or newer.",
  );
});

test("S14 every runtime package is locked to a registry tarball by its sha512 integrity", () => {
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")) as {
    packages: Record<
      string,
      { dev?: boolean; link?: boolean; version?: string; integrity?: string }
    >;
  };
  const runtime = Object.entries(lock.packages).filter(([name, p]) => name && !p.dev);
  expect(runtime.length).toBeGreaterThan(100);
  const unpinned = runtime
    .filter(
      ([, p]) => p.link || !/^\d/.test(p.version ?? "") || !p.integrity?.startsWith("sha512-"),
    )
    .map(([name]) => name);
  expect(unpinned).toEqual([]);
});
