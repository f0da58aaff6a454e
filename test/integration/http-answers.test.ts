import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { syncCourses } from "~/services/courses.server";
import { migratedDatabase } from "../helpers/db";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// How pages travel: ETag and 304 for a page or `.data` seen before, one gzipped body with its
// length, and the benchmark's own routes, which exist only when switched on, on loopback.

let server: RunningServer;
let coursesDir: string;
const LESSON = "/courses/basics/first";

beforeAll(async () => {
  await migratedDatabase();
  coursesDir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-courses-"));
  fs.cpSync("test/fixtures/courses-integration", coursesDir, { recursive: true });
  await seedPeople([{ key: "ann", name: "Ann Able", dept: "Sales" }]);
  server = await startServer({ COURSES_DIR: coursesDir });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(coursesDir, { recursive: true, force: true });
});

async function tagOf(path: string, headers: Record<string, string> = {}) {
  const ann = await loggedIn(server.url, "ann");
  const res = await ann.get(path, { headers });
  expect(res.status).toBe(200);
  return { ann, etag: res.headers.get("etag")!, res };
}

describe("ETag and 304", () => {
  test("an unchanged lesson page is 304 without a body or a new CSP nonce", async () => {
    const { ann, etag, res } = await tagOf(LESSON);
    expect(etag).toMatch(/^W\/".+"$/);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const again = await ann.get(LESSON, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    // The browser keeps the page it has, whose scripts carry the nonce of its own CSP.
    expect(again.headers.get("content-security-policy")).toBeNull();
    const other = await ann.get(LESSON, { headers: { "If-None-Match": '"something-else"' } });
    expect(other.status).toBe(200);
  });

  test("the lesson's .data is 304 too when unchanged", async () => {
    const { ann, etag } = await tagOf(`${LESSON}.data`);
    expect(etag).toMatch(/^".+"$/);
    const again = await ann.get(`${LESSON}.data`, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });

  test("the reader's own progress changes the tag", async () => {
    const { ann, etag } = await tagOf("/courses/basics/second");
    expect((await ann.post("/courses/basics/second", { intent: "complete" })).status).toBe(302);
    const after = await ann.get("/courses/basics/second", { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  test("a changed lesson gets a new tag, page and .data", async () => {
    const page = await tagOf("/courses/quizzed/check");
    const data = await tagOf("/courses/quizzed/check.data");
    const file = path.join(coursesDir, "quizzed/01-check.mdx");
    fs.writeFileSync(file, `${fs.readFileSync(file, "utf8")}\nA sentence added later.\n`);
    expect((await syncCourses(coursesDir)).published).toBe(1);

    const newPage = await page.ann.get("/courses/quizzed/check", {
      headers: { "If-None-Match": page.etag },
    });
    expect(newPage.status).toBe(200);
    expect(newPage.headers.get("etag")).not.toBe(page.etag);
    expect(await newPage.text()).toContain("A sentence added later.");
    const newData = await data.ann.get("/courses/quizzed/check.data", {
      headers: { "If-None-Match": data.etag },
    });
    expect(newData.status).toBe(200);
  });
});

test("a page is gzipped whole, with its length; without Accept-Encoding it is sent as is", async () => {
  const ann = await loggedIn(server.url, "ann");
  const zipped = await ann.get(LESSON, { headers: { "Accept-Encoding": "gzip" } });
  expect(zipped.headers.get("content-encoding")).toBe("gzip");
  expect(Number(zipped.headers.get("content-length"))).toBeGreaterThan(0);
  expect(zipped.headers.get("vary")).toContain("Accept-Encoding");
  expect(await zipped.text()).toContain("The first lesson");
  const plain = await ann.get(LESSON, { headers: { "Accept-Encoding": "identity" } });
  expect(plain.headers.get("content-encoding")).toBeNull();
  const html = await plain.text();
  expect(Buffer.byteLength(html)).toBe(Number(plain.headers.get("content-length")));
});

describe("the benchmark's routes", () => {
  test("are 404 for everyone without STAFFROOM_BENCHMARK", async () => {
    const ann = await loggedIn(server.url, "ann");
    for (const url of ["/benchmark/floor", "/benchmark/stats"]) {
      expect((await fetch(server.url + url)).status).toBe(404);
      expect((await ann.get(url)).status).toBe(404);
    }
  });

  test("answer with the switch on, on loopback", async () => {
    const bench = await startServer({ COURSES_DIR: coursesDir, STAFFROOM_BENCHMARK: "1" });
    try {
      expect(await (await fetch(`${bench.url}/benchmark/floor`)).text()).toContain("Hello.");
      const stats = await (await fetch(`${bench.url}/benchmark/stats`)).json();
      expect(stats).toEqual({ pid: expect.any(Number), compiles: 0 });
    } finally {
      await bench.stop();
    }
  });

  test("the server refuses to start with the switch on a public address", async () => {
    await expect(
      startServer({
        COURSES_DIR: coursesDir,
        STAFFROOM_BENCHMARK: "1",
        ORIGIN: "https://learn.example.com",
      }),
    ).rejects.toThrow(/STAFFROOM_BENCHMARK=1 is for the benchmark only/);
    await expect(
      startServer({ COURSES_DIR: coursesDir, STAFFROOM_BENCHMARK: "1", HOST: "0.0.0.0" }),
    ).rejects.toThrow(/needs HOST=127.0.0.1/);
  });
});
