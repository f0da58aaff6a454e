/**
 * The longest time the event loop could not run a timer: a 5 ms interval notes how late each
 * tick is. On a shared machine a late tick is often the process waiting for a CPU, not the app
 * holding the loop; so each gap is also measured in the main thread's own CPU time (Linux
 * schedstat), which counts only the work this process did without giving the loop a turn.
 * (perf_hooks' monitorEventLoopDelay missed whole stalls that began as it was enabled.)
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";

const EVERY_MS = 5;
const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/** Milliseconds the main thread has spent on a CPU (NaN where /proc has no schedstat). */
function mainThreadCpuMs(): number {
  try {
    return Number(fs.readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

export interface Stalls {
  /** The longest gap between ticks, by the clock. */
  wallMs: number;
  /** The most CPU time the main thread used in one gap: the app's own longest stall. */
  cpuMs: number;
}

export function watchStalls(): { stop: () => Stalls } {
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  const longest: Stalls = { wallMs: 0, cpuMs: 0 };
  const note = () => {
    const at = performance.now();
    const cpu = mainThreadCpuMs();
    longest.wallMs = Math.max(longest.wallMs, at - last - EVERY_MS);
    longest.cpuMs = Math.max(longest.cpuMs, cpu - lastCpu);
    last = at;
    lastCpu = cpu;
  };
  const timer = setInterval(note, EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      note();
      return longest;
    },
  };
}
