import { sql } from "kysely";
import http from "node:http";
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { createUser } from "~/models/users.server";
import { attemptLogin, THROTTLE } from "~/services/login.server";
import { advanceClock, now, resetClock } from "~/utils/clock.server";
import { hashPassword } from "~/utils/password.server";
import { all, migratedDatabase, one } from "../helpers/db";
import { startServer } from "../helpers/server";

// S7: brute force is slowed per account and per address, the same for unknown and known emails,
// and nobody can use the throttle to lock the owner of an account out.

const RIGHT = "correct horse battery";
let people = 0;

/** A fresh account (and fresh counters), so that tests do not share rows. */
async function newAccount() {
  const email = `owner${++people}@throttle.example`;
  const id = await createUser({
    email,
    name: `Owner ${people}`,
    departmentId: null,
    passwordHash: await hashPassword(RIGHT),
  });
  return { email, id };
}

/** One more counted failure: waits out any throttle first (on the fake clock). */
async function failOnce(email: string, address: string) {
  for (;;) {
    const result = await attemptLogin(email, "wrong-guess", address);
    if (result.ok === false && result.reason === "invalid") return;
    if (result.ok === false && result.reason === "throttled") advanceClock(result.retryAfterMs);
    else throw new Error("a wrong password logged in");
  }
}

async function fail(email: string, address: string, times: number) {
  for (let i = 0; i < times; i++) {
    expect(await attemptLogin(email, `wrong-guess-${i}`, address)).toEqual({
      ok: false,
      reason: "invalid",
    });
  }
}

beforeAll(async () => {
  await migratedDatabase();
});

describe("S7 login throttle", () => {
  // Time stands still unless a test moves it, so that waits are exact.
  beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => {
    vi.useRealTimers();
    resetClock();
  });

  test("S7 unknown and known emails get the same answers, throttled after the same failures", async () => {
    const { email } = await newAccount();
    const unknown = `nobody${people}@throttle.example`;
    for (const who of [email, unknown]) {
      await fail(who, "10.7.0.1", THROTTLE.pair.free);
      expect(await attemptLogin(who, "another-guess", "10.7.0.1")).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      const throttled = await attemptLogin(who, "yet-another", "10.7.0.1");
      expect(throttled).toEqual({ ok: false, reason: "throttled", retryAfterMs: 30_000 });
    }
  });

  test("S7 finding: five wrong passwords no longer lock the owner out: the guesser's address waits, the owner elsewhere logs in", async () => {
    const { email, id } = await newAccount();
    await fail(email, "10.7.1.1", THROTTLE.pair.free + 1);
    // The guessing address waits, even with the right password: 30 s, then doubling.
    expect(await attemptLogin(email, RIGHT, "10.7.1.1")).toMatchObject({ reason: "throttled" });
    // The owner, anywhere else, is not refused.
    expect(await attemptLogin(email, RIGHT, "10.7.1.2")).toEqual({ ok: true, userId: id });
    advanceClock(30_000);
    await fail(email, "10.7.1.1", 1);
    expect(await attemptLogin(email, RIGHT, "10.7.1.1")).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterMs: 60_000,
    });
  });

  test("S7 guesses from many addresses delay the account by a minute at most, never lock it", async () => {
    const { email, id } = await newAccount();
    for (let i = 0; i < THROTTLE.account.free + 12; i++) await failOnce(email, `10.7.2.${i}`);
    expect(await attemptLogin(email, RIGHT, "10.7.3.1")).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterMs: THROTTLE.account.maxWaitMs,
    });
    advanceClock(THROTTLE.account.maxWaitMs);
    expect(await attemptLogin(email, RIGHT, "10.7.3.1")).toEqual({ ok: true, userId: id });
  });

  test("S7 finding: one address spraying many accounts (everyone behind a proxy) delays newcomers by a minute at most, and never those who logged in from it before", async () => {
    const regular = await newAccount();
    const newcomer = await newAccount();
    const proxy = "10.7.4.1";
    expect(await attemptLogin(regular.email, RIGHT, proxy)).toMatchObject({ ok: true });
    for (let i = 0; i <= THROTTLE.address.free + 3; i++) {
      await failOnce(`sprayed${i}@throttle.example`, proxy);
    }
    expect(await attemptLogin(regular.email, RIGHT, proxy)).toEqual({
      ok: true,
      userId: regular.id,
    });
    const first = await attemptLogin(newcomer.email, RIGHT, proxy);
    expect(first).toMatchObject({ ok: false, reason: "throttled" });
    expect(first.ok === false && first.reason === "throttled" && first.retryAfterMs).toBe(
      THROTTLE.address.firstWaitMs * 2 ** 3,
    );
    advanceClock(THROTTLE.address.maxWaitMs);
    expect(await attemptLogin(newcomer.email, RIGHT, proxy)).toEqual({
      ok: true,
      userId: newcomer.id,
    });
  });

  test("S7 finding: the limiter forgets: counts expire an hour after the last failure and their rows are purged", async () => {
    const { email, id } = await newAccount();
    await fail(email, "10.7.5.1", THROTTLE.pair.free + 1);
    expect(await attemptLogin(email, RIGHT, "10.7.5.1")).toMatchObject({ reason: "throttled" });
    const expired = async () =>
      (
        (await one(
          sql`select count(*) n from login_throttle where expires_at <= ${now().getTime()}`,
        )) as { n: number }
      ).n;
    advanceClock(60 * 60 * 1000 + 1);
    expect(await expired()).toBeGreaterThanOrEqual(3);
    expect(await attemptLogin(email, RIGHT, "10.7.5.1")).toEqual({ ok: true, userId: id });
    // The next failure anywhere purges every expired row.
    await fail(`someone${people}@throttle.example`, "10.7.5.9", 1);
    expect(await expired()).toBe(0);
  });

  test("S7 the counters are in the database under hashed keys: no email or address is stored", async () => {
    const { email } = await newAccount();
    await fail(email, "10.7.6.1", 2);
    const dump = JSON.stringify(await all(sql`select * from login_throttle`));
    expect(dump).not.toContain(email);
    expect(dump).not.toContain("10.7.6.1");
    expect(dump).toMatch(/"key":"[0-9a-f]{64}"/);
  });
});

/** A form POST on a connection of its own, so that a cluster spreads them over its workers. */
function postLogin(base: string, fields: Record<string, string>, forwardedFor?: string) {
  const body = new URLSearchParams(fields).toString();
  return new Promise<number>((resolve, reject) => {
    const req = http.request(`${base}/login`, {
      method: "POST",
      agent: false,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
        Origin: base,
        ...(forwardedFor && { "X-Forwarded-For": forwardedFor }),
      },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("S7 over HTTP", () => {
  test("S7 finding: the counters are shared by every worker, and TRUST_PROXY's client addresses are honoured", async () => {
    const { email } = await newAccount();
    const server = await startServer({
      COURSES_DIR: "test/fixtures/courses-integration",
      WEB_CONCURRENCY: "2",
      TRUST_PROXY: "loopback",
    });
    try {
      for (let i = 0; i <= THROTTLE.pair.free; i++) {
        expect(await postLogin(server.url, { email, password: `guess-${i}` }, "203.0.113.1")).toBe(
          400,
        );
      }
      // Two workers each saw about half of the failures; the shared count throttles anyway.
      expect(await postLogin(server.url, { email, password: RIGHT }, "203.0.113.1")).toBe(429);
      expect(await postLogin(server.url, { email, password: RIGHT }, "203.0.113.2")).toBe(302);
    } finally {
      await server.stop();
    }
  });

  test("S7 without TRUST_PROXY a forged X-Forwarded-For is ignored: it cannot dodge the throttle", async () => {
    const { email } = await newAccount();
    const server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
    try {
      for (let i = 0; i <= THROTTLE.pair.free; i++) {
        await postLogin(server.url, { email, password: `guess-${i}` }, `198.51.100.${i}`);
      }
      expect(await postLogin(server.url, { email, password: RIGHT }, "198.51.100.99")).toBe(429);
    } finally {
      await server.stop();
    }
  });
});
