/**
 * P6: the page mix (bench/demo-pages.ts; 50 connections shared between the pages) on the
 * production server with one worker and with two (WEB_CONCURRENCY=2) over the same WAL database,
 * rounds alternating between the two. Beside them, the machine's own ceiling: a bare server doing
 * a fixed amount of CPU work per request (bench/ceiling-server.js) with one process and two, in
 * the same rounds; on a shared machine that is the most two processes could gain. Each serving
 * process's main thread is followed on a CPU and waiting for one (Linux schedstat), which tells
 * a server held up by a lock (neither) from one held up by the machine (waiting).
 * P4 (first half, again): MDX compiles counted in every worker.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { compiles, demoPages, PAGES } from "./demo-pages";
import { benchRounds, benchSeconds, figures, load, loadTogether, type Sample } from "./load";
import { startCeilingServer, type BenchServer, type MainThreadTime } from "./server";
import type { BenchResult } from "./types";

const CONNECTIONS = 50;
const ms = (n: number) => `${n.toFixed(0)} ms`;

interface Measured {
  byPage: Map<string, Sample[]>;
  cpuMs: number;
  /** Per serving process: time on a CPU and waiting for one over the runs. */
  threads: Map<number, { runningMs: number; waitingMs: number }>;
  /** The load generator's own CPU time (this process). */
  loadCpuMs: number;
  /** Load seconds (the rate's denominator) and wall-clock ms over the same runs. */
  seconds: number;
  wallMs: number;
}

const measured = (): Measured => ({
  byPage: new Map(),
  cpuMs: 0,
  threads: new Map(),
  loadCpuMs: 0,
  seconds: 0,
  wallMs: 0,
});

async function measure(into: Measured, server: BenchServer, run: () => Promise<Sample[]>) {
  const cpuBefore = server.cpuMs();
  const threadsBefore = new Map(server.mainThreads().map((t) => [t.pid, t]));
  const loadBefore = process.cpuUsage();
  const started = performance.now();
  const samples = await run();
  into.wallMs += performance.now() - started;
  const load = process.cpuUsage(loadBefore);
  into.loadCpuMs += (load.user + load.system) / 1000;
  into.cpuMs += server.cpuMs() - cpuBefore;
  into.seconds += samples[0]!.seconds;
  for (const t of server.mainThreads()) {
    const before: MainThreadTime = threadsBefore.get(t.pid) ?? { ...t, runningMs: 0, waitingMs: 0 };
    const sum = into.threads.get(t.pid) ?? { runningMs: 0, waitingMs: 0 };
    sum.runningMs += t.runningMs - before.runningMs;
    sum.waitingMs += t.waitingMs - before.waitingMs;
    into.threads.set(t.pid, sum);
  }
  for (const sample of samples) {
    into.byPage.set(sample.name, [...(into.byPage.get(sample.name) ?? []), sample]);
  }
}

const answers = (m: Measured) =>
  [...m.byPage.values()].flat().reduce((n, s) => n + s.latencies.length, 0);
const rps = (m: Measured) => answers(m) / (m.seconds || 1);
const share = (ms: number, m: Measured) => `${((100 * ms) / m.wallMs).toFixed(0)}%`;
/** "on a CPU 41%, waiting for one 52%" for each serving process, then the load generator's. */
const threadShares = (m: Measured) =>
  [
    ...[...m.threads.values()].map(
      (t) => `on a CPU ${share(t.runningMs, m)}, waiting for one ${share(t.waitingMs, m)}`,
    ),
    `load generator on a CPU ${share(m.loadCpuMs, m)}`,
  ].join("; ");

export async function run(): Promise<BenchResult[]> {
  const demo = await demoPages();
  const servers: BenchServer[] = [];
  try {
    const one = await demo.start(1);
    servers.push(one);
    const two = await demo.start(2);
    servers.push(two);
    const ceilingOne = await startCeilingServer(1);
    servers.push(ceilingOne);
    const ceilingTwo = await startCeilingServer(2);
    servers.push(ceilingTwo);
    await demo.check(one);
    await demo.check(two);
    const compiledBefore = (await compiles(one, 1)) + (await compiles(two, 2));

    const mix = PAGES.filter((p) => p.mix).map((p) => demo.target(p, p.mix!));
    const ceilingTarget = { name: "ceiling", path: "/", connections: CONNECTIONS };
    const seconds = benchSeconds(3);
    for (const server of [one, two]) await loadTogether(server.url, mix, seconds);
    for (const server of [ceilingOne, ceilingTwo]) await load(server.url, ceilingTarget, 1);

    const app = { one: measured(), two: measured() };
    const ceiling = { one: measured(), two: measured() };
    for (let round = 0; round < benchRounds(5); round++) {
      await measure(app.one, one, () => loadTogether(one.url, mix, seconds));
      await measure(app.two, two, () => loadTogether(two.url, mix, seconds));
      await measure(ceiling.one, ceilingOne, async () => [
        await load(ceilingOne.url, ceilingTarget, seconds),
      ]);
      await measure(ceiling.two, ceilingTwo, async () => [
        await load(ceilingTwo.url, ceilingTarget, seconds),
      ]);
    }
    const compiledWhileServing =
      (await compiles(one, 1)) + (await compiles(two, 2)) - compiledBefore;

    const failures = [...app.one.byPage.values(), ...app.two.byPage.values()]
      .flat()
      .reduce((n, s) => n + s.failures, 0);
    const worst = mix.map((t) => {
      const single = figures(app.one.byPage.get(t.name)!);
      const double = figures(app.two.byPage.get(t.name)!);
      return { name: t.name, ratio: double.max / single.p99, single, double };
    });
    const slowest = worst.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const appRatio = rps(app.two) / rps(app.one);
    // One worker is more than one thread: gzip runs on libuv's pool, and V8 collects garbage on
    // helper threads. What it uses in all leaves the room a second worker has on this machine.
    const oneWorkerCores = app.one.cpuMs / app.one.wallMs;
    const oneMainThreadCores =
      [...app.one.threads.values()].reduce((n, t) => n + t.runningMs, 0) / app.one.wallMs;
    const loadGeneratorCores = app.two.loadCpuMs / app.two.wallMs;
    const room = (os.cpus().length - loadGeneratorCores) / oneWorkerCores;
    const ceilingRatio = rps(ceiling.two) / rps(ceiling.one);
    return [
      {
        id: "P6",
        name: "page mix, two workers ÷ one, req/s",
        value: failures > 0 ? 0 : appRatio,
        unit: "×",
        budget: 1.7,
        better: "higher",
        detail: `${rps(app.two).toFixed(0)} vs ${rps(app.one).toFixed(0)} req/s; CPU per answer ${(app.two.cpuMs / answers(app.two)).toFixed(2)} vs ${(app.one.cpuMs / answers(app.one)).toFixed(2)} ms; two workers: ${threadShares(app.two)}; one worker: ${threadShares(app.one)}; ${failures} failed`,
      },
      {
        id: "P6",
        name: "this machine's ceiling meanwhile: a bare CPU-bound server, two processes ÷ one",
        value: ceilingRatio,
        unit: "×",
        detail: `${rps(ceiling.two).toFixed(0)} vs ${rps(ceiling.one).toFixed(0)} req/s; two: ${threadShares(ceiling.two)}; one: ${threadShares(ceiling.one)}`,
      },
      {
        id: "P6",
        name: "CPU cores one worker keeps busy with the mix (every thread of its process)",
        value: oneWorkerCores,
        unit: "cores",
        detail: `its main thread ${oneMainThreadCores.toFixed(2)}, its other threads (gzip, garbage collection) ${(oneWorkerCores - oneMainThreadCores).toFixed(2)}; with the load generator's ${loadGeneratorCores.toFixed(2)}, ${os.cpus().length} cores leave two workers at most ${room.toFixed(2)}× one`,
      },
      {
        id: "P6",
        name: "page mix scaling ÷ the machine's ceiling",
        value: appRatio / ceilingRatio,
        unit: "×",
      },
      {
        id: "P6",
        name: "slowest request with two workers ÷ its page's one-worker p99",
        value: slowest.ratio,
        unit: "×",
        budget: 2,
        detail: worst
          .map(
            (w) =>
              `${w.name}: max ${ms(w.double.max)} (p99 ${ms(w.double.p99)}) vs p99 ${ms(w.single.p99)}`,
          )
          .join("; "),
      },
      {
        id: "P4",
        name: "MDX compiles while serving P6",
        value: compiledWhileServing,
        unit: "",
        budget: 0,
      },
    ];
  } finally {
    for (const server of servers) await server.stop();
  }
}
