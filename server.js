// The server: express + the Remix build (or, with NODE_ENV=development, Vite's dev server in
// middleware mode, so development runs through the same middleware as production). Kept in
// plain JavaScript so that it runs the build as it is; the logic lives in the app's entry module.
import cluster from "node:cluster";
import { createRequestHandler, writeReadableStreamToWritable } from "@remix-run/node";
import compression from "compression";
import express from "express";

const BUILD_PATH = "./build/server/index.js";
/** How long a stopping server lets requests in flight finish (slow downloads included). */
const SHUTDOWN_DEADLINE_MS = Number(process.env.SHUTDOWN_DEADLINE_MS ?? 10_000);

/** The build, with every loader and action answering domain errors (see domain-errors.server). */
async function loadBuild() {
  if (process.env.NODE_ENV !== "development") {
    const build = await import(BUILD_PATH);
    const answering = build.entry.module.answerDomainErrors(build);
    return { entry: build.entry.module, build: () => answering, vite: undefined };
  }
  const vite = await import("vite").then((v) =>
    v.createServer({ server: { middlewareMode: true } }),
  );
  const load = () => vite.ssrLoadModule("virtual:remix/server-build");
  const entry = (await load()).entry.module;
  return { entry, build: async () => entry.answerDomainErrors(await load()), vite };
}

export async function startServer() {
  const { entry, build, vite } = await loadBuild();
  const workers = Number(process.env.WEB_CONCURRENCY ?? 1);

  if (cluster.isPrimary) {
    // Migrations, course sync and the first-admin link happen once, before any worker serves;
    // then the periodic jobs run here (once across processes and servers: see the jobs service).
    await entry.onServerStart();
    entry.startPeriodicJobs();
    if (workers > 1) {
      for (let i = 0; i < workers; i++) cluster.fork();
      let stopping = false;
      cluster.on("exit", (worker, code, signal) => {
        if (!stopping && code !== 0) {
          console.error(
            `Worker ${worker.process.pid} exited (${signal ?? code}); starting another.`,
          );
          cluster.fork();
        }
      });
      const stop = () => {
        stopping = true;
        for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
        const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 2000);
        deadline.unref();
        cluster.disconnect(() => entry.onServerStop().finally(() => process.exit(0)));
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      return;
    }
  }

  const origin = entry.publicOrigin();
  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);
  const securityHeaders = entry.everyResponseHeaders();
  app.use((req, res, next) => {
    res.set(securityHeaders);
    next();
  });
  app.use(compression());
  if (vite) app.use(vite.middlewares);
  else {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
  }
  app.use((req, res, next) => {
    if (entry.isTrustedRequest(req.method, req.get("origin"), origin)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from Staffroom.");
  });
  // Every body is bounded before it is read (request-body.server.ts), then handed to Remix whole.
  app.use((req, res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const refuse = ({ status, message }) => {
      // The rest of the body is not wanted: close the connection once the answer is out.
      res.status(status).set("Connection", "close").type("text/plain").send(message);
    };
    entry.bodyPolicy(req.path, req.headers).then((policy) => {
      if (policy.refusal) return refuse(policy.refusal);
      entry.readBoundedBody(req, policy.limit).then(
        (body) => {
          if (!body) return refuse(policy.tooLarge);
          req.body = body;
          next();
        },
        () => req.destroy(),
      );
    }, next);
  });
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
      console.log(
        `Staffroom is listening on ${origin} (${workers} worker${workers > 1 ? "s" : ""})`,
      );
    }
  });

  // Stop taking connections, let requests in flight finish, and cut what is still open at the
  // deadline (a download that stopped reading must not keep the process alive).
  const stop = () => {
    server.close(() => entry.onServerStop().finally(() => process.exit(0)));
    server.closeIdleConnections();
    const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.NODE_ENV ??= "production";
  startServer().catch((error) => {
    console.error(`Staffroom could not start: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
