/**
 * Periodic jobs. Every serving process may schedule them; each period's run is claimed in the
 * database first, so a job runs once across worker processes, the CLI and several servers.
 */
import os from "node:os";
import { claimJobRun } from "~/models/jobs.server";
import { now } from "~/utils/clock.server";

export interface PeriodicJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

const holder = `${os.hostname()}:${process.pid}`;
/** How often each process looks whether a job is due: a tenth of its period, at most a minute. */
const pollEvery = (job: PeriodicJob) => Math.min(job.everyMs / 10, 60_000);

/** Runs the job if this period's run is still unclaimed; true when this process ran it. */
export async function runIfDue(job: PeriodicJob): Promise<boolean> {
  const at = now();
  // A little slack, so that a process polling just before the period ends still claims it.
  const startedBefore = new Date(at.getTime() - job.everyMs + pollEvery(job)).toISOString();
  if (!(await claimJobRun(job.name, holder, at.toISOString(), startedBefore))) return false;
  await job.run();
  return true;
}

/**
 * Claims the run of `name` for the period that began at `periodStart` (a day, say): true once,
 * in one process, however many ask.
 */
export function claimPeriod(name: string, periodStart: string): Promise<boolean> {
  return claimJobRun(name, holder, now().toISOString(), periodStart);
}

/** Polls every job on a timer that never keeps the process alive. */
export function schedule(jobs: PeriodicJob[]): void {
  for (const job of jobs) {
    const tick = () =>
      runIfDue(job).catch((error: unknown) => console.error(`The ${job.name} job failed:`, error));
    setInterval(tick, pollEvery(job)).unref();
  }
}
