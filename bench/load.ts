/**
 * Load from autocannon, with every response's latency kept, so that several short runs (rounds
 * interleaved between targets, against the drift of a shared machine) add up to one figure.
 */
import autocannon, { type RequestSpec } from "autocannon";

/** As a browser asks for a page: HTML, compressed, with the session cookie. */
export function browserHeaders(cookie?: string): Record<string, string> {
  return {
    accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "accept-encoding": "gzip, deflate, br",
    "accept-language": "en-GB,en;q=0.9",
    "user-agent":
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
    ...(cookie ? { cookie } : {}),
  };
}

export interface Target {
  name: string;
  path: string;
  connections: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Dynamic requests (a new one per request); `path` is then only the first. */
  requests?: RequestSpec[];
  /** The status every answer must have (200 unless said). */
  status?: number;
}

/** What one target's runs add up to. */
export interface Sample {
  name: string;
  latencies: number[];
  seconds: number;
  /** Answers with another status than the expected one, and connection errors and timeouts. */
  failures: number;
  bytes: number;
  /** The server's CPU time over the run, when the run had the server to itself. */
  cpuMs?: number;
}

export interface Figures {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
  /** Mean bytes per answer (headers included, as sent: compressed when it was). */
  bytesPerAnswer: number;
  /**
   * The server's CPU time per answer: what the page costs, whatever else the machine is doing
   * (throughput on a shared machine also measures the neighbours).
   */
  cpuMsPerAnswer: number;
}

/** Runs several targets at once for `seconds` (their connections add up). */
export async function loadTogether(
  url: string,
  targets: Target[],
  seconds: number,
): Promise<Sample[]> {
  return Promise.all(
    targets.map(async (target) => {
      const sample: Sample = {
        name: target.name,
        latencies: [],
        seconds,
        failures: 0,
        bytes: 0,
      };
      const expected = target.status ?? 200;
      const instance = autocannon({
        url: url + target.path,
        connections: target.connections,
        duration: seconds,
        timeout: 30,
        ...(target.method ? { method: target.method } : {}),
        ...(target.headers ? { headers: target.headers } : {}),
        ...(target.body ? { body: target.body } : {}),
        ...(target.requests ? { requests: target.requests } : {}),
      });
      instance.on(
        "response",
        (_client: unknown, status: number, bytes: number, responseTime: number) => {
          sample.latencies.push(responseTime);
          sample.bytes += bytes;
          if (status !== expected) sample.failures++;
        },
      );
      const result = await instance;
      sample.failures += result.errors + result.timeouts;
      return sample;
    }),
  );
}

/** One target alone; given the server's CPU clock, the sample carries the CPU time it took. */
export async function load(
  url: string,
  target: Target,
  seconds: number,
  cpuMs?: () => number,
): Promise<Sample> {
  const before = cpuMs?.();
  const [sample] = await loadTogether(url, [target], seconds);
  return { ...sample!, cpuMs: before === undefined ? undefined : cpuMs!() - before };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One target's figures over all its rounds. */
export function figures(samples: Sample[]): Figures {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    failures: samples.reduce((n, s) => n + s.failures, 0),
    bytesPerAnswer: samples.reduce((n, s) => n + s.bytes, 0) / Math.max(1, latencies.length),
    cpuMsPerAnswer: samples.reduce((n, s) => n + (s.cpuMs ?? NaN), 0) / latencies.length,
  };
}

/** Samples by target name, over `rounds` rounds of `run` (which measures every target once). */
export async function inRounds(
  rounds: number,
  run: (round: number) => Promise<Sample[]>,
): Promise<Map<string, Sample[]>> {
  const byName = new Map<string, Sample[]>();
  for (let round = 0; round < rounds; round++) {
    for (const sample of await run(round)) {
      byName.set(sample.name, [...(byName.get(sample.name) ?? []), sample]);
    }
  }
  return byName;
}

/** Seconds per run and rounds, from BENCH_SECONDS and BENCH_ROUNDS (for quick local runs). */
export const benchSeconds = (fallback: number) => Number(process.env.BENCH_SECONDS ?? fallback);
export const benchRounds = (fallback: number) => Number(process.env.BENCH_ROUNDS ?? fallback);
