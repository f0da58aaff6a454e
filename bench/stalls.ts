/**
 * The longest time the event loop could not run a timer: a 5 ms interval notes how late each
 * tick is. (perf_hooks' monitorEventLoopDelay missed whole stalls that began as it was enabled.)
 */
import { performance } from "node:perf_hooks";

const EVERY_MS = 5;

export function watchStalls(): { stop: () => number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const at = performance.now();
    longest = Math.max(longest, at - last - EVERY_MS);
    last = at;
  }, EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last - EVERY_MS);
    },
  };
}
