import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedDatabase } from "../helpers/db";
import { Browser } from "../helpers/http";
import { email, loggedIn, PASSWORD, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// S11: the CSP with nonces, nosniff, frame-ancestors and Referrer-Policy; nosniff (and, under an
// https ORIGIN, HSTS) on every kind of response, the server's own refusals included.

let server: RunningServer;
let https: RunningServer;

beforeAll(async () => {
  await migratedDatabase();
  await seedPeople([
    { key: "lee", name: "Lee Leader", leader: true },
    { key: "mia", name: "Mia Manager" },
    { key: "ann", name: "Ann Able", manager: "mia" },
  ]);
  const env = { COURSES_DIR: "test/fixtures/courses-quiz" };
  server = await startServer(env);
  // The same app behind a TLS-terminating proxy: it believes its public origin is https.
  https = await startServer({ ...env, ORIGIN: "https://staffroom.test" });
});

afterAll(async () => {
  await Promise.all([server?.stop(), https?.stop()]);
});

test("S11 pages carry a nonce-based CSP without unsafe-eval, frame-ancestors none and Referrer-Policy", async () => {
  const ann = await loggedIn(server.url, "ann");
  const res = await ann.get("/courses/safety/welcome");
  const csp = res.headers.get("content-security-policy") ?? "";
  const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  const html = await res.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  // A fresh nonce for every response.
  const again = (await ann.get("/courses/safety/welcome")).headers.get("content-security-policy");
  expect(again).not.toContain(`'nonce-${nonce}'`);
});

/** A login POST from `origin`, through a proxy that forwards the public host as X-Forwarded-Host. */
const login = (base: string, origin: string, key: string) =>
  fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: origin,
      "X-Forwarded-Host": new URL(origin).host,
    },
    body: new URLSearchParams({ email: email(key), password: PASSWORD }),
  });

/** One request of every kind of response the server gives. */
async function everyKindOfResponse(base: string, origin: string) {
  const lee = new Browser(base);
  const loggedInLee = await login(base, origin, "lee");
  lee.cookie = loggedInLee.headers.get("set-cookie")!.split(";")[0]!;
  const script = fs.readdirSync("build/client/assets").find((f) => f.endsWith(".js"))!;
  const form = { "Content-Type": "application/x-www-form-urlencoded", Origin: origin };
  return {
    "a page": await lee.get("/"),
    "a redirect": loggedInLee,
    ".data": await lee.get("/reports.data"),
    "a CSV download": await lee.get("/reports/not-finished.csv"),
    "a course image": await lee.get("/course-assets/safety/sign.png"),
    "JSON (/healthz)": await fetch(`${base}/healthz`),
    "a static file": await fetch(`${base}/favicon.svg`),
    "a built script": await fetch(`${base}/assets/${script}`),
    "a plain-text 403 (a route)": await lee.get("/team.csv"),
    "a plain-text 403 (CSRF)": await fetch(`${base}/login`, { method: "POST", body: "" }),
    "a 404": await lee.get("/no-such-page"),
    "a 413": await fetch(`${base}/login`, {
      method: "POST",
      headers: form,
      body: "x=".padEnd(70 * 1024, "x"),
    }),
    "a 415": await fetch(`${base}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin },
      body: "{}",
    }),
  };
}

describe("S11 nosniff on every response, HSTS under https", () => {
  test("S11 finding: CSV, .data, plain-text and the server's own answers carry nosniff; no HSTS over plain http", async () => {
    const responses = await everyKindOfResponse(server.url, server.url);
    for (const [kind, res] of Object.entries(responses)) {
      expect(res.headers.get("x-content-type-options"), kind).toBe("nosniff");
      expect(res.headers.get("strict-transport-security"), kind).toBeNull();
    }
    expect(responses["a 413"].status).toBe(413);
    expect(responses["a 415"].status).toBe(415);
  });

  test("S11 finding: under an https ORIGIN every response also carries HSTS", async () => {
    const responses = await everyKindOfResponse(https.url, "https://staffroom.test");
    for (const [kind, res] of Object.entries(responses)) {
      expect(res.headers.get("x-content-type-options"), kind).toBe("nosniff");
      expect(res.headers.get("strict-transport-security"), kind).toBe("max-age=31536000");
    }
  });

  test("S2 under an https ORIGIN the session cookie is __Host-, Secure, HttpOnly and SameSite=Lax", async () => {
    const res = await login(https.url, "https://staffroom.test", "ann");
    expect(res.status).toBe(302);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-staffroom_session=[\w-]{43};/);
    for (const part of ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"]) {
      expect(cookie.split("; ")).toContain(part);
    }
    expect(cookie).not.toMatch(/Domain=/i);
  });
});
