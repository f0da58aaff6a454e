// The only module that knows about lucia and the session cookie. Lucia v3 is deprecated
// upstream: replacing it with lucia's own session recipe should touch this file alone.
import { BetterSqlite3Adapter } from "@lucia-auth/adapter-sqlite";
import { redirect } from "@remix-run/node";
import { Lucia, TimeSpan } from "lucia";
import { newToken, sha256Hex } from "./crypto.server";
import { handlesFor } from "./db.server";
import { publicOrigin } from "./env.server";
import { getViewer, type Viewer } from "~/models/users.server";

export const IDLE_TIMEOUT = new TimeSpan(8, "h");
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    UserId: number;
    DatabaseSessionAttributes: { created_at: number };
  }
}

function createLucia() {
  const adapter = new BetterSqlite3Adapter(handlesFor().sqlite, {
    user: "users",
    session: "sessions",
  });
  return new Lucia(adapter, {
    sessionExpiresIn: IDLE_TIMEOUT,
    getSessionAttributes: (attributes) => ({ createdAt: attributes.created_at }),
  });
}

let lucia: ReturnType<typeof createLucia> | undefined;
function auth() {
  lucia ??= createLucia();
  return lucia;
}

const isSecure = () => publicOrigin().startsWith("https://");
// __Host- pins the cookie to this exact origin, but browsers accept it only over HTTPS.
export const sessionCookieName = () =>
  isSecure() ? "__Host-staffroom_session" : "staffroom_session";

// The cookie carries the token; the database only its SHA-256.
const hashToken = sha256Hex;

// A browser-session cookie: the idle and absolute timeouts are enforced on the server, so the
// cookie never needs re-sending when lucia slides the expiry forward.
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

/** Starts a fresh session (never reusing a token the browser brought: no fixation). */
export async function createSessionCookie(userId: number): Promise<string> {
  const token = newToken();
  await auth().createSession(userId, { created_at: Date.now() }, { sessionId: hashToken(token) });
  return serializeCookie(token);
}

export const clearedSessionCookie = () => serializeCookie("", 0);

/** The signed-in, active person, or null. Lucia slides the idle expiry; we add the absolute one. */
export async function getViewerOrNull(request: Request): Promise<Viewer | null> {
  const token = readToken(request);
  if (!token) return null;
  const { session, user } = await auth().validateSession(hashToken(token));
  if (!session || !user) return null;
  if (Date.now() - session.createdAt > ABSOLUTE_TIMEOUT_MS) {
    await auth().invalidateSession(session.id);
    return null;
  }
  const viewer = await getViewer(user.id);
  if (!viewer) await auth().invalidateUserSessions(user.id);
  return viewer;
}

export async function requireViewer(request: Request): Promise<Viewer> {
  const viewer = await getViewerOrNull(request);
  if (viewer) return viewer;
  const url = new URL(request.url);
  throw redirect(`/login?${new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` })}`);
}

export async function requireAdmin(request: Request): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (!viewer.isAdmin) throw forbidden("This page is for administrators.");
  return viewer;
}

export async function requireLeader(request: Request): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (!viewer.isLeader && !viewer.isAdmin) throw forbidden("This page is for leadership.");
  return viewer;
}

export async function requireManager(request: Request): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (!viewer.isManager) throw forbidden("This page is for people who have a team.");
  return viewer;
}

export function forbidden(message: string) {
  return new Response(message, { status: 403, statusText: "Forbidden" });
}

export async function logout(request: Request): Promise<string> {
  const token = readToken(request);
  if (token) await auth().invalidateSession(hashToken(token));
  return clearedSessionCookie();
}

/** Ends every session of a person at once (logout everywhere, deactivation). */
export async function endAllSessions(userId: number): Promise<void> {
  await auth().invalidateUserSessions(userId);
}
