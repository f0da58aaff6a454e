// A throwaway PostgreSQL cluster for `npm run test:pg` and `npm run bench -- --engine postgres`:
// Debian's postgresql package (binaries in /usr/lib/postgresql/<version>/bin, not on PATH),
// `initdb` into a temporary folder, the server on a free port of 127.0.0.1, trust login for the
// user `staffroom`, durability off (a test cluster is thrown away). Run as root, the server runs
// as the `postgres` user the package creates (or `nobody`): PostgreSQL refuses to run as root.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

function binDir() {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error(
      "PostgreSQL is not installed: apt-get install -y postgresql (or set DATABASE_URL to a server).",
    );
  }
  return path.join(root, versions[0], "bin");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Who runs the server: this user, or an unprivileged one when this is root. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    if (spawnSync("id", ["-u", name]).status === 0) return name;
  }
  throw new Error(
    "Running as root, and neither a postgres nor a nobody user exists to run the server.",
  );
}

function runAs(user, program, args) {
  const [command, argv] = user
    ? ["runuser", ["-u", user, "--", program, ...args]]
    : [program, args];
  execFileSync(command, argv, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Starts a cluster; resolves to its URL (database `postgres`, user `staffroom`) and a `stop`
 * that shuts it down and deletes it.
 */
export async function startThrowawayCluster({ maxConnections = 300 } = {}) {
  const bin = binDir();
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-pg-"));
  const data = path.join(dir, "data");
  if (user) execFileSync("chown", ["-R", user, dir]);
  runAs(user, path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "staffroom",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=${maxConnections}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_pred_locks_per_transaction=256",
  ].join(" ");
  runAs(user, path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    settings,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "start",
  ]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      runAs(user, path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    url: `postgres://staffroom@127.0.0.1:${port}/postgres`,
    log: path.join(dir, "server.log"),
    stop,
  };
}
