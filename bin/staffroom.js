#!/usr/bin/env node
// The `staffroom` command. tsx lets the CLI share the app's TypeScript models and services.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../app/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
