// The only module that knows about lucia and the session cookie. Lucia v3 is deprecated
// upstream: replacing it with lucia's own session recipe should touch this file alone.
//
// Lucia gives the session lifecycle and the adapter contract; the expiry policy is ours, on our
// clock: the idle limit slides with every use but is written at most once a minute, and the
// absolute limit never moves. (Lucia's own sliding extends only in the second half of the
// period, which made an "8 hour" idle limit anything from 4 to 8 hours.)
import { Lucia, type Adapter, type DatabaseSession } from "lucia";
import { now } from "./clock.server";
import { newToken, sha256Hex } from "./crypto.server";
import { publicOrigin } from "./env.server";

export const IDLE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
/** How far the idle limit must move before it is written again. */
const SLIDE_GRANULARITY_MS = 60 * 1000;

declare module "lucia" {
  interface Register {
    Lucia: Lucia<{ createdAt: number }, Record<never, never>>;
    UserId: number;
    DatabaseSessionAttributes: { createdAt: number };
  }
}

export interface SessionRecord {
  /** SHA-256 of the cookie's token. */
  id: string;
  userId: number;
  /** The idle limit (ms since the epoch): the session ends then unless it is used before. */
  expiresAt: number;
  createdAt: number;
}

/** Where sessions are kept (app/models/sessions.server.ts). */
export interface SessionStore {
  insertSession(row: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | undefined>;
  listUserSessions(userId: number): Promise<SessionRecord[]>;
  /** Moves the idle limit forward only. */
  extendSession(id: string, expiresAt: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  deleteUserSessions(userId: number): Promise<void>;
  deleteExpiredSessions(now: number, createdBefore: number): Promise<number>;
}

function adapterFor(store: SessionStore): Adapter {
  const toLucia = (row: SessionRecord) =>
    ({
      id: row.id,
      userId: row.userId,
      expiresAt: new Date(row.expiresAt),
      attributes: { createdAt: row.createdAt },
    }) satisfies DatabaseSession;
  return {
    async getSessionAndUser(id) {
      const row = await store.findSession(id);
      return row ? [toLucia(row), { id: row.userId, attributes: {} }] : [null, null];
    },
    async getUserSessions(userId) {
      return (await store.listUserSessions(userId)).map(toLucia);
    },
    async setSession(session) {
      // Both limits from our clock, not from lucia's Date.now().
      const at = now().getTime();
      await store.insertSession({
        id: session.id,
        userId: session.userId,
        expiresAt: at + IDLE_TIMEOUT_MS,
        createdAt: at,
      });
    },
    async updateSessionExpiration(id, expiresAt) {
      await store.extendSession(id, expiresAt.getTime());
    },
    deleteSession: (id) => store.deleteSession(id),
    deleteUserSessions: (userId) => store.deleteUserSessions(userId),
    async deleteExpiredSessions() {
      const at = now().getTime();
      await store.deleteExpiredSessions(at, at - ABSOLUTE_TIMEOUT_MS);
    },
  };
}

const isSecure = () => publicOrigin().startsWith("https://");
// __Host- pins the cookie to this exact origin, but browsers accept it only over HTTPS.
export const sessionCookieName = () =>
  isSecure() ? "__Host-staffroom_session" : "staffroom_session";

// A browser-session cookie: both limits are enforced on the server, so the cookie never needs
// re-sending when the idle limit slides.
function serializeCookie(value: string, maxAgeSeconds?: number) {
  const parts = [`${sessionCookieName()}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (isSecure()) parts.push("Secure");
  return parts.join("; ");
}

function readToken(request: Request): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  const name = sessionCookieName();
  for (const pair of header.split(";")) {
    const [key, ...rest] = pair.trim().split("=");
    if (key === name) return rest.join("=") || null;
  }
  return null;
}

// The cookie carries the token; the database only its SHA-256.
const sessionIdOf = (request: Request) => {
  const token = readToken(request);
  return token ? sha256Hex(token) : null;
};

export type SessionAuth = ReturnType<typeof createSessionAuth>;

export function createSessionAuth(store: SessionStore) {
  const adapter = adapterFor(store);
  const lucia = new Lucia(adapter, {
    getSessionAttributes: (attributes) => ({ createdAt: attributes.createdAt }),
  });

  return {
    /** Starts a fresh session (never reusing a token the browser brought: no fixation). */
    async createSessionCookie(userId: number): Promise<string> {
      const token = newToken();
      await lucia.createSession(userId, { createdAt: 0 }, { sessionId: sha256Hex(token) });
      return serializeCookie(token);
    },

    clearedSessionCookie: () => serializeCookie("", 0),

    /** The person whose live session this request carries, sliding its idle limit; or null. */
    async sessionUserId(request: Request): Promise<number | null> {
      const id = sessionIdOf(request);
      if (!id) return null;
      const [session] = await adapter.getSessionAndUser(id);
      if (!session) return null;
      const at = now().getTime();
      if (
        session.expiresAt.getTime() <= at ||
        at - session.attributes.createdAt >= ABSOLUTE_TIMEOUT_MS
      ) {
        await lucia.invalidateSession(id);
        return null;
      }
      const slid = at + IDLE_TIMEOUT_MS;
      if (slid - session.expiresAt.getTime() >= SLIDE_GRANULARITY_MS) {
        await adapter.updateSessionExpiration(id, new Date(slid));
      }
      return session.userId;
    },

    async logout(request: Request): Promise<string> {
      const id = sessionIdOf(request);
      if (id) await lucia.invalidateSession(id);
      return serializeCookie("", 0);
    },

    /** Ends every session of a person at once (logout everywhere, deactivation). */
    endAllSessions: (userId: number) => lucia.invalidateUserSessions(userId),

    /** Removes sessions past either limit (run on a schedule). */
    purgeExpiredSessions: () => lucia.deleteExpiredSessions(),
  };
}
