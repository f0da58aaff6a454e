// Starts a TypeScript worker when the app runs from source (tests, the CLI, the dev server):
// worker threads do not inherit the main thread's tsx loader, so this registers it again.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register({ tsconfig: workerData.tsconfig });
await import(workerData.entry);
