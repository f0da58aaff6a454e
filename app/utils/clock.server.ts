// Tests move time; everything else asks this module what time it is.
let offsetMs = Number(process.env.STAFFROOM_CLOCK_OFFSET_MS ?? 0);

export function now(): Date {
  return new Date(Date.now() + offsetMs);
}

export function nowIso(): string {
  return now().toISOString();
}

export function advanceClock(ms: number) {
  offsetMs += ms;
}

export function resetClock() {
  offsetMs = 0;
}
