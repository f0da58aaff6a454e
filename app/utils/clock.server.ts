// Tests move time; everything else asks this module what time it is. The override exists only
// under NODE_ENV=test, so no setting can move a production clock.
const testing = process.env.NODE_ENV === "test";
let offsetMs = testing ? Number(process.env.STAFFROOM_CLOCK_OFFSET_MS ?? 0) : 0;

export function now(): Date {
  return new Date(Date.now() + offsetMs);
}

export function nowIso(): string {
  return now().toISOString();
}

/** Moves this process's clock (tests; the demo seed back-dates its history the same way). */
export function advanceClock(ms: number) {
  offsetMs += ms;
}

export function resetClock() {
  offsetMs = testing ? Number(process.env.STAFFROOM_CLOCK_OFFSET_MS ?? 0) : 0;
}
