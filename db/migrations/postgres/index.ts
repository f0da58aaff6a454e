import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0009 from "./0009_reminders";
import * as m0010 from "./0010_authoring";

// PostgreSQL's migrations: 0001 equals SQLite's 0001–0008; each later SQLite migration gets a
// twin here under the same number and name.
export const postgresMigrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0009_reminders": m0009,
  "0010_authoring": m0010,
};
