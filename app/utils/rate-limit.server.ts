// Slows password guessing per account and per address. In memory, per worker process: a
// restart forgives, and with N workers an attacker gets at most N times the allowance.
const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = { account: 5, address: 30 } as const;

type Scope = keyof typeof MAX_FAILURES;
const failures = new Map<string, number[]>();

function recent(key: string, now: number): number[] {
  const times = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (times.length === 0) failures.delete(key);
  else failures.set(key, times);
  return times;
}

/** Milliseconds until another attempt is allowed, or 0. */
export function loginRetryAfter(keys: Record<Scope, string>, now = Date.now()): number {
  let wait = 0;
  for (const scope of Object.keys(MAX_FAILURES) as Scope[]) {
    const times = recent(`${scope}:${keys[scope]}`, now);
    if (times.length >= MAX_FAILURES[scope]) {
      wait = Math.max(wait, times[0]! + WINDOW_MS - now);
    }
  }
  return wait;
}

export function recordLoginFailure(keys: Record<Scope, string>, now = Date.now()) {
  for (const scope of Object.keys(MAX_FAILURES) as Scope[]) {
    const key = `${scope}:${keys[scope]}`;
    failures.set(key, [...recent(key, now), now]);
  }
}

export function clearLoginFailures(account: string) {
  failures.delete(`account:${account}`);
}
