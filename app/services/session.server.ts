/**
 * Who is asking: the session cookie (app/utils/auth.server.ts) joined with the roster. Every
 * loader and action starts here with one of the `require*` helpers.
 */
import { redirect } from "@remix-run/node";
import { sessionStore } from "~/models/sessions.server";
import { getViewer, type Viewer } from "~/models/users.server";
import { createSessionAuth } from "~/utils/auth.server";
import { notAllowed } from "~/utils/domain-errors.server";

const auth = createSessionAuth(sessionStore);

export const { createSessionCookie, clearedSessionCookie, logout, endAllSessions } = auth;
export const purgeExpiredSessions = auth.purgeExpiredSessions;

/** The signed-in, active person, or null. A deactivated person's sessions end here too. */
export async function getViewerOrNull(request: Request): Promise<Viewer | null> {
  const userId = await auth.sessionUserId(request);
  if (userId === null) return null;
  const viewer = await getViewer(userId);
  if (!viewer) await auth.endAllSessions(userId);
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
  if (!viewer.isAdmin) throw notAllowed("This page is for administrators.");
  return viewer;
}

export async function requireLeader(request: Request): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (!viewer.isLeader && !viewer.isAdmin) throw notAllowed("This page is for leadership.");
  return viewer;
}

export async function requireManager(request: Request): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (!viewer.isManager) throw notAllowed("This page is for people who have a team.");
  return viewer;
}
