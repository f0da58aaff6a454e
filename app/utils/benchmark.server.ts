/**
 * The benchmark's switch (`npm run bench`): STAFFROOM_BENCHMARK=1 turns on a minimal page (the
 * floor every other page is measured against) and a counter of MDX compiles. Without it both
 * routes are 404. The server refuses to start with it unless it listens on, and is addressed
 * through, the loopback interface, so a deployment can never serve them.
 */
import { notFound } from "./domain-errors.server";
import { env, publicOrigin } from "./env.server";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export const benchmarkSwitchOn = () => process.env.STAFFROOM_BENCHMARK === "1";

/** Throws at start when the switch is on anywhere but on this machine's loopback interface. */
export function assertBenchmarkSwitchIsLocal(): void {
  if (!benchmarkSwitchOn()) return;
  const host = env().HOST ?? "0.0.0.0";
  const origin = new URL(publicOrigin()).hostname;
  if (!LOOPBACK.has(host) || !LOOPBACK.has(origin)) {
    throw new Error(
      `STAFFROOM_BENCHMARK=1 is for the benchmark only: it needs HOST=127.0.0.1 and a loopback ORIGIN (now HOST=${host}, ORIGIN=${publicOrigin()}). Unset it.`,
    );
  }
}

/** The benchmark routes answer 404, like any unknown URL, unless the switch is on. */
export function requireBenchmarkSwitch(): void {
  if (!benchmarkSwitchOn()) throw notFound("Not found.");
}
