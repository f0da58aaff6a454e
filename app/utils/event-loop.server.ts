/**
 * The server runs every request on one thread, and better-sqlite3 answers synchronously: long
 * work (an import, a recompute, an export) would hold every other request until it ends. Such
 * work calls `giveWay()` as it goes (the database driver does so before every query): it
 * resolves at once, or, once the work has had the thread for STRETCH_MS without a turn of the
 * event loop, after one turn, so that pages are served meanwhile.
 */
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";

/** How long work may keep the thread before the event loop gets a turn. */
const STRETCH_MS = 10;
/** When the current stretch of work began (undefined: none in this turn of the loop). */
let stretchStartedAt: number | undefined;
let endOfTurnPending = false;

function startStretch(at: number) {
  stretchStartedAt = at;
  if (endOfTurnPending) return;
  endOfTurnPending = true;
  setImmediate(() => {
    endOfTurnPending = false;
    stretchStartedAt = undefined;
  });
}

export function giveWay(): Promise<void> | undefined {
  const at = performance.now();
  if (stretchStartedAt === undefined) {
    startStretch(at);
    return undefined;
  }
  if (at - stretchStartedAt < STRETCH_MS) return undefined;
  // Whoever resumes gets a whole stretch of their own: a short request that waited its turn is
  // not sent back at once because a long job used up the stretch before it.
  return new Promise((resolve) =>
    setImmediate(() => {
      startStretch(performance.now());
      resolve();
    }),
  );
}
