import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashPassword } from "~/utils/password.server";
import { BAD_FILES } from "../fixtures/roster/bad-files";
import { csvOf, databaseDump, manyRows, seedRosterBase } from "../fixtures/roster/roster-csv";
import type { SqliteHandles } from "~/utils/db.server";
import { migratedSqlite } from "../helpers/db";
import { Browser } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";
import { staffroom, startStaffroom, type CliResult } from "./helpers/cli";
import { writeFaultCourses } from "./helpers/courses";
import { sleep } from "./helpers/load";
import { countOf, inspect } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// F5: bad roster files. Every kind of bad file through the command line is covered by
// test/roster-cli.test.ts (BAD_FILES, each in its own process, database compared before and
// after). What it leaves out at the process level is here: the same files uploaded to the
// running server, a BOM over HTTP, and an import killed (-9) midway, which must leave the
// roster and its assignments either entirely there or not at all.

const file = process.env.DATABASE_PATH!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-f05-"));
const PASSWORD = "f05-admin-password";
let sqlite: SqliteHandles["sqlite"];
let server: RunningServer;
let ada: Browser;

const unescape = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * The upload form answers these before parsing the file, so not with the line the command line
 * names: an empty file input is a form error; a body over the limit is a 413 before it is read
 * (test/security/s15-bounded-requests.test.ts).
 */
const UPLOAD_ANSWERS: Record<string, RegExp> = { "an empty file": /Choose a CSV file to upload/ };
const REFUSED_BY_SIZE = "a 20 MB file";

/** Everything but the sessions (logging in adds one). */
const dump = async () => ({ ...(await databaseDump()), sessions: [] });

beforeAll(async () => {
  ({ sqlite } = await migratedSqlite());
  await seedRosterBase();
  sqlite
    .prepare("update users set password_hash = ? where email = 'ada@x.example'")
    .run(await hashPassword(PASSWORD));
  server = await startServer({ COURSES_DIR: writeFaultCourses(2) });
  ada = new Browser(server.url);
  await ada.login("ada@x.example", PASSWORD);
});

afterAll(async () => {
  await server?.stop();
});

describe("F5 bad CSV at the process level", () => {
  test.for(BAD_FILES.filter((c) => !(c.name in UPLOAD_ANSWERS) && c.name !== REFUSED_BY_SIZE))(
    "uploaded to the running server: $name",
    async (c) => {
      const before = await dump();
      const res = await ada.upload("/admin/import", "file", `${c.name}.csv`, c.file());
      const html = unescape(await res.text());
      expect(res.status).toBe(400);
      expect(html).toContain("nothing was imported");
      for (const where of c.expect) {
        const [line, column] = where.split(":");
        if (line !== "-") expect(html).toContain(`<td>${line}</td>`);
        if (column !== "-") expect(html).toContain(`(${column})</td>`);
      }
      expect(html).toMatch(c.message);
      expect(await dump()).toEqual(before);
    },
  );

  test.for(Object.entries(UPLOAD_ANSWERS))(
    "uploaded to the running server: %s",
    async ([name, message]) => {
      const before = await dump();
      const bad = BAD_FILES.find((c) => c.name === name)!;
      const res = await ada.upload("/admin/import", "file", "bad.csv", bad.file());
      expect(res.status).toBe(400);
      expect(unescape(await res.text())).toMatch(message);
      expect(await dump()).toEqual(before);
    },
  );

  test("a UTF-8 file with a BOM is read as UTF-8 over HTTP", async () => {
    const res = await ada.upload(
      "/admin/import",
      "file",
      "bom.csv",
      `\uFEFF${csvOf(["zoe@x.example,Zoë Müller,Office,,,,"])}`,
    );
    expect(res.status).toBe(200);
    const html = unescape(await res.text());
    expect(html).toContain("zoe@x.example");
    expect(html).toContain("Zoë Müller");
  });

  test("an import killed (-9) midway leaves the roster and its assignments whole or absent", async (context) => {
    const PEOPLE = 5000;
    const rosterFor = (trial: number) => {
      const target = path.join(dir, `bulk${trial}.csv`);
      fs.writeFileSync(target, csvOf(manyRows(PEOPLE, `bulk${trial}.example`)));
      return target;
    };
    const outcome = (trial: number) =>
      inspect(file, (db) => ({
        people: countOf(
          db,
          "select count(*) from users where email like ?",
          `%@bulk${trial}.example`,
        ),
        unassigned: countOf(
          db,
          `select count(*) from users u where u.email like ? and not exists
             (select 1 from assignments a where a.user_id = u.id and a.is_current = 1)`,
          `%@bulk${trial}.example`,
        ),
      }));

    // How long a whole import takes here, then kills spread across that time.
    const whole = await staffroom(["users", "import", rosterFor(0)]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(outcome(0)).toEqual({ people: PEOPLE, unassigned: 0 });
    const results: string[] = [];
    const check = (trial: number, when: string, ended: CliResult) => {
      const after = outcome(trial);
      expect([0, PEOPLE], `killed ${when}`).toContain(after.people);
      expect(after.unassigned, `killed ${when}: people without assignments`).toBe(0);
      results.push(
        `${when}: ${ended.signal ? (after.people ? "applied" : "nothing") : "finished first"}`,
      );
    };
    let trial = 1;
    for (const share of [0.3, 0.5, 0.7, 0.9]) {
      const run = startStaffroom(["users", "import", rosterFor(trial)]);
      await sleep(whole.ms * share);
      run.child.kill("SIGKILL");
      check(trial++, `${Math.round(share * 100)}%`, await run.done);
    }
    // The sharpest point: the moment the first of the new people can be seen.
    const run = startStaffroom(["users", "import", rosterFor(trial)]);
    const watcher = new Database(file, { readonly: true });
    const seen = watcher.prepare("select 1 from users where email like ? limit 1");
    while (!seen.get(`%@bulk${trial}.example`) && run.child.exitCode === null) await sleep(2);
    run.child.kill("SIGKILL");
    watcher.close();
    check(trial, "as the roster appeared", await run.done);

    expect(inspect(file, (db) => db.pragma("integrity_check", { simple: true }))).toBe("ok");
    await figure(
      context,
      `import of ${PEOPLE} killed at ${results.join(", ")} (whole run ${whole.ms} ms)`,
    );
  });
});
