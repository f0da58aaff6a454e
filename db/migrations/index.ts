import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_progress_staleness";
import * as m0003 from "./0003_roster_audit";
import * as m0004 from "./0004_assignments";
import * as m0005 from "./0005_acknowledgements_certificates";
import * as m0006 from "./0006_integrity";
import * as m0007 from "./0007_compile_failures";
import * as m0008 from "./0008_security";
import * as m0009 from "./0009_reminders";
import * as m0010 from "./0010_authoring";

// A static index: file-system discovery of .ts migrations fails on Node 20.
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_progress_staleness": m0002,
  "0003_roster_audit": m0003,
  "0004_assignments": m0004,
  "0005_acknowledgements_certificates": m0005,
  "0006_integrity": m0006,
  "0007_compile_failures": m0007,
  "0008_security": m0008,
  "0009_reminders": m0009,
  "0010_authoring": m0010,
};
