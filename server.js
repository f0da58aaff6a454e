// Production server: express + the Remix build. Kept in plain JavaScript so that it runs the
// build as it is; everything with logic lives in the app and is reached through the build.
import cluster from "node:cluster";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const BUILD_PATH = "./build/server/index.js";

export async function startServer() {
  const build = await import(BUILD_PATH);
  const { onServerStart, isTrustedRequest } = build.entry.module;
  const workers = Number(process.env.WEB_CONCURRENCY ?? 1);

  if (cluster.isPrimary) {
    // Migrations, course sync and the first-admin link happen once, before any worker serves.
    await onServerStart();
    if (workers > 1) {
      for (let i = 0; i < workers; i++) cluster.fork();
      cluster.on("exit", (worker, code, signal) => {
        if (signal !== "SIGTERM" && code !== 0) {
          console.error(
            `Worker ${worker.process.pid} exited (${signal ?? code}); starting another.`,
          );
          cluster.fork();
        }
      });
      return;
    }
  }

  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  app.use(express.static("build/client", { maxAge: "1h" }));
  app.use((req, res, next) => {
    const expected = process.env.ORIGIN ?? `${req.protocol}://${req.get("host")}`;
    if (isTrustedRequest(req.method, req.get("origin"), expected)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from Staffroom.");
  });
  if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: process.env.NODE_ENV ?? "production",
      getLoadContext: (req) => ({ clientIp: req.ip ?? "unknown" }),
    }),
  );

  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "0.0.0.0";
  const server = app.listen(port, host, () => {
    if (cluster.isPrimary || cluster.worker?.id === 1) {
      const origin = process.env.ORIGIN ?? `http://localhost:${port}`;
      console.log(
        `Staffroom is listening on ${origin} (${workers} worker${workers > 1 ? "s" : ""})`,
      );
    }
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.NODE_ENV ??= "production";
  startServer().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
