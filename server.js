// Production server: express + the Remix build. Kept in plain JavaScript so that it runs the
// build as it is; everything with logic lives in the app and is reached through the build.
import cluster from "node:cluster";
import { createRequestHandler, writeReadableStreamToWritable } from "@remix-run/node";
import compression from "compression";
import express from "express";

const BUILD_PATH = "./build/server/index.js";

export async function startServer() {
  const build = await import(BUILD_PATH);
  const { onServerStart, isTrustedRequest, everyResponseHeaders, bodyPolicy, readBoundedBody } =
    build.entry.module;
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
  const securityHeaders = everyResponseHeaders();
  app.use((req, res, next) => {
    res.set(securityHeaders);
    next();
  });
  app.use(compression());
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  app.use(express.static("build/client", { maxAge: "1h" }));
  app.use((req, res, next) => {
    const expected = process.env.ORIGIN ?? `${req.protocol}://${req.get("host")}`;
    if (isTrustedRequest(req.method, req.get("origin"), expected)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from Staffroom.");
  });
  // Every body is bounded before it is read (request-body.server.ts), then handed to Remix whole.
  app.use((req, res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const refuse = ({ status, message }) => {
      // The rest of the body is not wanted: close the connection once the answer is out.
      res.status(status).set("Connection", "close").type("text/plain").send(message);
    };
    bodyPolicy(req.path, req.headers).then((policy) => {
      if (policy.refusal) return refuse(policy.refusal);
      readBoundedBody(req, policy.limit).then(
        (body) => {
          if (!body) return refuse(policy.tooLarge);
          req.body = body;
          next();
        },
        () => req.destroy(),
      );
    }, next);
  });
  if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);
  // Remix gets the body read above (the express adapter would read the request stream itself).
  const handleRemix = createRequestHandler(build, process.env.NODE_ENV ?? "production");
  app.all("*", async (req, res, next) => {
    try {
      const controller = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const one of [value ?? []].flat()) headers.append(name, one);
      }
      const request = new Request(`${req.protocol}://${req.get("host")}${req.originalUrl}`, {
        method: req.method,
        headers,
        body: req.body,
        signal: controller.signal,
      });
      const response = await handleRemix(request, { clientIp: req.ip ?? "unknown" });
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [name, value] of response.headers) res.append(name, value);
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  });

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
