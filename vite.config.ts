/// <reference types="vitest/config" />
import { vitePlugin as remix } from "@remix-run/dev";
import { build as esbuild } from "esbuild";
import path from "node:path";
import { defineConfig } from "vite";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  resolve: {
    alias: {
      "~": path.resolve(import.meta.dirname, "app"),
      "#db": path.resolve(import.meta.dirname, "db"),
    },
  },
  server: { port: 3000 },
  // Server-only native modules: the dependency scan must not try to bundle them for the browser.
  optimizeDeps: { exclude: ["@node-rs/argon2", "better-sqlite3"] },
  build: { target: "es2022" },
  plugins: [
    // The Remix plugin needs a browser preamble that vitest never provides.
    !process.env.VITEST &&
      remix({
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
          v3_routeConfig: true,
          unstable_optimizeDeps: true,
        },
        // The MDX compile worker runs as its own thread, so it is bundled beside the server build
        // (app/services/mdx/compile-queue.server.ts starts it from there).
        buildEnd: async ({ remixConfig }) => {
          await esbuild({
            entryPoints: ["app/services/mdx/compile-worker.server.ts"],
            outfile: path.join(remixConfig.buildDirectory, "server", "mdx-compile-worker.js"),
            bundle: true,
            platform: "node",
            format: "esm",
            target: "node20",
            packages: "external",
            jsx: "automatic",
            logLevel: "warning",
          });
        },
      }),
  ],
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
    reporters: ["default", "./test/helpers/skipped-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Every run shuffles files and tests with a fresh seed, printed at the top ("Running tests
    // with seed …"); `--sequence.seed=N` replays one. No test may depend on another's rows.
    sequence: { shuffle: true },
  },
});
