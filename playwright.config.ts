import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3310);
const ORIGIN = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "test/e2e",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: process.env.CI ? "list" : "line",
  use: {
    baseURL: ORIGIN,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "off",
    screenshot: "only-on-failure",
  },
  webServer: {
    // A fresh, deterministic demo organisation for every run, on a copy of the courses: the
    // authoring journey publishes, and must never change the repository's courses/ folder.
    command:
      "rm -rf ./test-results/e2e.db* ./test-results/e2e-courses && mkdir -p ./test-results && cp -r ./courses ./test-results/e2e-courses && node bin/staffroom.js demo --no-serve && node server.js",
    url: `${ORIGIN}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      ORIGIN,
      DATABASE_PATH: "./test-results/e2e.db",
      COURSES_DIR: "./test-results/e2e-courses",
    },
  },
});
