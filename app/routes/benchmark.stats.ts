import { compileCount } from "~/services/mdx-compile.server";
import { requireBenchmarkSwitch } from "~/utils/benchmark.server";

/** For `npm run bench` (P4): this process's id and how many MDX compiles it has run. */
export function loader() {
  requireBenchmarkSwitch();
  return Response.json(
    { pid: process.pid, compiles: compileCount() },
    { headers: { "Cache-Control": "no-store" } },
  );
}
