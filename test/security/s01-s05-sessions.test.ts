import { sql } from "kysely";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { createUser } from "~/models/users.server";
import {
  createSessionCookie,
  endAllSessions,
  getViewerOrNull,
  logout,
  purgeExpiredSessions,
} from "~/services/session.server";
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from "~/utils/auth.server";
import { sha256Hex } from "~/utils/crypto.server";
import { hashPassword } from "~/utils/password.server";
import { all, migratedDatabase, one } from "../helpers/db";

// S1–S5: sessions. The cookie attributes under an https ORIGIN (S2's __Host- and Secure) are
// checked against a running server in s11-headers.test.ts.

let userId: number;

const tokenOf = (cookie: string) => cookie.split(";")[0]!.split("=")[1]!;
const requestWith = (cookie: string) =>
  new Request("http://localhost/", { headers: { Cookie: cookie.split(";")[0]! } });

beforeAll(async () => {
  await migratedDatabase();
  userId = await createUser({
    email: "Ann@Example.com",
    name: "Ann Example",
    departmentId: null,
    passwordHash: await hashPassword("correct horse battery"),
  });
});

describe("sessions", () => {
  test("S1 the cookie carries a 256-bit token and the database only its SHA-256", async () => {
    const token = tokenOf(await createSessionCookie(userId));
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32);
    const ids = ((await all(sql`select id from sessions`)) as { id: string }[]).map((r) => r.id);
    expect(ids).toContain(sha256Hex(token));
    expect(ids).not.toContain(token);
  });

  test("S2 the cookie is HttpOnly and SameSite=Lax, and not Secure on a plain-http localhost", async () => {
    const cookie = await createSessionCookie(userId);
    expect(cookie).toMatch(/^staffroom_session=/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  test("S3 idle and absolute timeouts (fake clock)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const idle = await createSessionCookie(userId);
      vi.setSystemTime(Date.now() + IDLE_TIMEOUT_MS + 1000);
      expect(await getViewerOrNull(requestWith(idle))).toBeNull();

      const busy = await createSessionCookie(userId);
      // Active every hour: the idle limit slides, the absolute one does not.
      const start = Date.now();
      while (Date.now() - start < ABSOLUTE_TIMEOUT_MS - 60 * 60 * 1000) {
        vi.setSystemTime(Date.now() + 60 * 60 * 1000);
        expect(await getViewerOrNull(requestWith(busy))).not.toBeNull();
      }
      vi.setSystemTime(start + ABSOLUTE_TIMEOUT_MS + 1000);
      expect(await getViewerOrNull(requestWith(busy))).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  test("S3 the idle limit is the full 8 hours after the last use, written at most once a minute", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const cookie = await createSessionCookie(userId);
      const id = sha256Hex(tokenOf(cookie));
      const expiry = async () =>
        (
          (await one(sql`select expires_at from sessions where id = ${id}`)) as {
            expires_at: number;
          }
        ).expires_at;
      const created = await expiry();
      // Used 30 s later: the limit would move by less than a minute, so nothing is written.
      vi.setSystemTime(Date.now() + 30_000);
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      expect(await expiry()).toBe(created);
      // Used 3 hours later: the limit moves to 8 hours from now (lucia alone would not move it).
      vi.setSystemTime(Date.now() + 3 * 60 * 60 * 1000);
      const lastUse = Date.now();
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      expect(await expiry()).toBe(lastUse + IDLE_TIMEOUT_MS);
      // Idle for 7 h 59 min: still alive (and slid again); then idle 8 h: gone.
      vi.setSystemTime(lastUse + IDLE_TIMEOUT_MS - 60_000);
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      vi.setSystemTime(Date.now() + IDLE_TIMEOUT_MS);
      expect(await getViewerOrNull(requestWith(cookie))).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  test("S3 expired sessions are purged; live ones stay", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const stale = sha256Hex(tokenOf(await createSessionCookie(userId)));
      vi.setSystemTime(Date.now() + IDLE_TIMEOUT_MS + 1000);
      const live = sha256Hex(tokenOf(await createSessionCookie(userId)));
      await purgeExpiredSessions();
      const ids = ((await all(sql`select id from sessions`)) as { id: string }[]).map((r) => r.id);
      expect(ids).toContain(live);
      expect(ids).not.toContain(stale);
    } finally {
      vi.useRealTimers();
    }
  });

  test("S4 no session fixation: every login gets a new token, and a forged one is no session", async () => {
    const first = tokenOf(await createSessionCookie(userId));
    const second = tokenOf(await createSessionCookie(userId));
    expect(first).not.toBe(second);
    expect(await getViewerOrNull(requestWith("staffroom_session=forged"))).toBeNull();
  });

  test("S5 logout ends the session at once", async () => {
    const cookie = await createSessionCookie(userId);
    expect((await getViewerOrNull(requestWith(cookie)))?.email).toBe("ann@example.com");
    expect(await logout(requestWith(cookie))).toMatch(/Max-Age=0/);
    expect(await getViewerOrNull(requestWith(cookie))).toBeNull();
  });

  test("S5 ending all sessions (deactivation, a password change) ends every one of them", async () => {
    const a = await createSessionCookie(userId);
    const b = await createSessionCookie(userId);
    await endAllSessions(userId);
    expect(await getViewerOrNull(requestWith(a))).toBeNull();
    expect(await getViewerOrNull(requestWith(b))).toBeNull();
  });
});
