import { afterAll, beforeAll, expect, test } from "vitest";
import { Browser } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;

beforeAll(async () => {
  // An empty database: the server migrates it and offers the one-time set-up link.
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

test("a first start prints a one-time link that creates the first administrator, once", async () => {
  const match = server.logs().match(/(http:\/\/[^\s]+)\/setup\/([A-Za-z0-9_-]+)/);
  expect(match, server.logs()).not.toBeNull();
  const path = `/setup/${match![2]}`;
  const browser = new Browser(server.url);

  expect((await browser.get("/setup/not-the-token")).status).toBe(404);
  expect((await browser.get(path)).status).toBe(200);

  const weak = await browser.post(path, {
    name: "Ada Admin",
    email: "ada@example.com",
    password: "password",
  });
  expect(weak.status).toBe(400);
  expect(await weak.text()).toContain("too common");

  const created = await browser.post(path, {
    name: "Ada Admin",
    email: "ada@example.com",
    password: "a sturdy first password",
  });
  expect(created.status).toBe(302);
  expect(browser.cookie).toMatch(/^staffroom_session=/);
  const home = (await (await browser.get("/")).text()).replaceAll("<!-- -->", "");
  expect(home).toContain("Hello, Ada");

  // The link is spent.
  expect((await new Browser(server.url).get(path)).status).toBe(404);
  const reuse = await new Browser(server.url).post(path, {
    name: "Eve",
    email: "eve@example.com",
    password: "another sturdy password",
  });
  expect(reuse.status).toBe(400);
  expect(await reuse.text()).toContain("expired or was already used");
  const eve = new Browser(server.url);
  expect(
    (await eve.post("/login", { email: "eve@example.com", password: "another sturdy password" }))
      .status,
  ).toBe(400);
});
