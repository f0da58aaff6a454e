// The fault tests (DESIGN F1–F10, test/faults): run by `npm run test:faults` (bin/faults.js),
// never by `npm test`, whose include (`test/**/*.test.{ts,tsx}`) does not match `*.fault.ts`.
import { defineConfig } from "vitest/config";
import base from "./vite.config";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/faults/**/*.fault.ts"],
    // One file at a time: each drives real servers and measures them on a shared machine.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ["default", "./test/faults/table-reporter.ts"],
  },
});
