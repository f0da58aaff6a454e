/** Load generation and latency figures for the fault tests, from the test process. */

/** The p-th percentile (nearest rank) of `samples`. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` on every item with at most `concurrency` at once. */
export async function inPool<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
    }),
  );
}

/** A request and the time until its whole body arrived. */
export async function timed(request: () => Promise<Response>) {
  const started = performance.now();
  const res = await request();
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

export interface LatencySample {
  samples: number[];
  statuses: Record<number, number>;
}

/**
 * `connections` clients each send `request` again as soon as the last answer is complete, until
 * `until` settles (or for `ms`). Returns every latency and a count per status.
 */
export async function closedLoop(
  request: () => Promise<Response>,
  options: { connections: number; ms?: number; until?: Promise<unknown> },
): Promise<LatencySample> {
  let running = true;
  const stopper = options.until ?? sleep(options.ms ?? 1000);
  void stopper.finally(() => (running = false));
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (running) {
        const { status, ms } = await timed(request);
        samples.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { samples, statuses };
}

/**
 * Starts `write(i)` `perSecond` times a second without waiting for earlier ones, until `stop()`,
 * which waits for the writes in flight and returns how many were started.
 */
export function steadyWrites(perSecond: number, write: (i: number) => Promise<void>) {
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  const timer = setInterval(() => {
    const i = started++;
    const p = write(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return started;
    },
  };
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * The same clients on the same page, first quietly for `quietMs`, then for as long as `load`
 * runs: every latency of each, and what `load` returned.
 */
export async function quietThenLoaded<T>(
  request: () => Promise<Response>,
  options: { connections: number; quietMs: number },
  load: () => Promise<T>,
) {
  const quiet = await closedLoop(request, {
    connections: options.connections,
    ms: options.quietMs,
  });
  const running = load();
  const loaded = await closedLoop(request, { connections: options.connections, until: running });
  return { quiet, loaded, result: await running };
}
