import { requireBenchmarkSwitch } from "~/utils/benchmark.server";

// The floor of `npm run bench` (P1): the smallest page this build can serve, through the same
// root layout and loader as every page. 404 unless STAFFROOM_BENCHMARK=1 (utils/benchmark.server).
export function loader() {
  requireBenchmarkSwitch();
  return null;
}

export default function BenchmarkFloor() {
  return <p>Hello.</p>;
}
