// `staffroom courses sync`, run through the CLI's own command, then this process's compile
// counters on the last line (F9: how many compiles, and how many ran at once at most).
// Run as `node --import tsx test/faults/helpers/sync-with-stats.ts` from the repository root.
import { coursesCommand } from "~/cli/courses";
import { compileStats } from "~/services/mdx-compile.server";
import { closeDatabase } from "~/utils/db.server";

const code = await coursesCommand(["sync"]);
await closeDatabase();
console.log(`compile stats ${JSON.stringify(compileStats())}`);
process.exitCode = code;
