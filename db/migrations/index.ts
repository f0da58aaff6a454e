import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_progress_staleness";

// A static index: file-system discovery of .ts migrations fails on Node 20.
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_progress_staleness": m0002,
};
