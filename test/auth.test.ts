import { beforeAll, describe, expect, test, vi } from "vitest";
import { createUser } from "~/models/users.server";
import { attemptLogin } from "~/services/login.server";
import {
  createSessionCookie,
  endAllSessions,
  getViewerOrNull,
  logout,
  purgeExpiredSessions,
} from "~/services/session.server";
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from "~/utils/auth.server";
import { sha256Hex } from "~/utils/crypto.server";
import { hashPassword, passwordProblem } from "~/utils/password.server";
import { migratedDatabase } from "./helpers/db";

let sqlite: Awaited<ReturnType<typeof migratedDatabase>>["sqlite"];
let userId: number;

const tokenOf = (cookie: string) => cookie.split(";")[0]!.split("=")[1]!;
const requestWith = (cookie: string) =>
  new Request("http://localhost/", { headers: { Cookie: cookie.split(";")[0]! } });

beforeAll(async () => {
  ({ sqlite } = await migratedDatabase());
  userId = await createUser({
    email: "Ann@Example.com",
    name: "Ann Example",
    departmentId: null,
    passwordHash: await hashPassword("correct horse battery"),
  });
});

describe("sessions", () => {
  test("the cookie carries a 256-bit token and the database only its SHA-256", async () => {
    const cookie = await createSessionCookie(userId);
    const token = tokenOf(cookie);
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(16);
    const ids = sqlite.prepare("select id from sessions").all() as { id: string }[];
    expect(ids.map((r) => r.id)).toContain(sha256Hex(token));
    expect(ids.map((r) => r.id)).not.toContain(token);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  test("each login gets a new token (no fixation)", async () => {
    const first = tokenOf(await createSessionCookie(userId));
    const second = tokenOf(await createSessionCookie(userId));
    expect(first).not.toBe(second);
  });

  test("a token the database does not know is no session", async () => {
    expect(await getViewerOrNull(requestWith("staffroom_session=forged"))).toBeNull();
  });

  test("logout ends the session at once", async () => {
    const cookie = await createSessionCookie(userId);
    expect((await getViewerOrNull(requestWith(cookie)))?.email).toBe("ann@example.com");
    const cleared = await logout(requestWith(cookie));
    expect(cleared).toMatch(/Max-Age=0/);
    expect(await getViewerOrNull(requestWith(cookie))).toBeNull();
  });

  test("ending all sessions (deactivation) ends every one of them", async () => {
    const a = await createSessionCookie(userId);
    const b = await createSessionCookie(userId);
    await endAllSessions(userId);
    expect(await getViewerOrNull(requestWith(a))).toBeNull();
    expect(await getViewerOrNull(requestWith(b))).toBeNull();
  });

  test("idle and absolute timeouts", async () => {
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

  test("the idle limit is the full 8 hours after the last use, written at most once a minute", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const cookie = await createSessionCookie(userId);
      const id = sha256Hex(tokenOf(cookie));
      const expiry = () =>
        (
          sqlite.prepare("select expires_at from sessions where id = ?").get(id) as {
            expires_at: number;
          }
        ).expires_at;
      const created = expiry();
      // Used 30 s later: the limit would move by less than a minute, so nothing is written.
      vi.setSystemTime(Date.now() + 30_000);
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      expect(expiry()).toBe(created);
      // Used 3 hours later: the limit moves to 8 hours from now (lucia alone would not move it).
      vi.setSystemTime(Date.now() + 3 * 60 * 60 * 1000);
      const lastUse = Date.now();
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      expect(expiry()).toBe(lastUse + IDLE_TIMEOUT_MS);
      // Idle for 7 h 59 min: still alive (and slid again); then idle 8 h: gone.
      vi.setSystemTime(lastUse + IDLE_TIMEOUT_MS - 60_000);
      expect(await getViewerOrNull(requestWith(cookie))).not.toBeNull();
      vi.setSystemTime(Date.now() + IDLE_TIMEOUT_MS);
      expect(await getViewerOrNull(requestWith(cookie))).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  test("expired sessions are purged; live ones stay", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const stale = sha256Hex(tokenOf(await createSessionCookie(userId)));
      vi.setSystemTime(Date.now() + IDLE_TIMEOUT_MS + 1000);
      const live = sha256Hex(tokenOf(await createSessionCookie(userId)));
      await purgeExpiredSessions();
      const ids = (sqlite.prepare("select id from sessions").all() as { id: string }[]).map(
        (r) => r.id,
      );
      expect(ids).toContain(live);
      expect(ids).not.toContain(stale);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("login", () => {
  test("emails match case-insensitively", async () => {
    expect(await attemptLogin("ANN@example.com", "correct horse battery", "10.0.0.1")).toEqual({
      ok: true,
      userId,
    });
  });

  test("unknown email and wrong password get the same answer", async () => {
    expect(await attemptLogin("nobody@example.com", "whatever-pass", "10.0.0.2")).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await attemptLogin("ann@example.com", "wrong-password", "10.0.0.2")).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  test("repeated failures on one account are throttled, even with the right password", async () => {
    for (let i = 0; i < 5; i++)
      await attemptLogin("ann@example.com", `guess-${i}-xx`, `10.1.0.${i}`);
    const result = await attemptLogin("ann@example.com", "correct horse battery", "10.1.0.99");
    expect(result).toMatchObject({ ok: false, reason: "throttled" });
  });
});

describe("password policy", () => {
  test("length and common passwords", () => {
    expect(passwordProblem("short")).toMatch(/at least 8/);
    expect(passwordProblem("password123")).toMatch(/too common/);
    expect(passwordProblem("a long and unusual phrase")).toBeNull();
  });

  test("hashes are argon2id with m=19 MiB, t=2, p=1", async () => {
    expect(await hashPassword("a long and unusual phrase")).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    );
  });
});
