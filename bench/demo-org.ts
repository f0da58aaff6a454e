/**
 * The demo organisation (`npm run demo`: 40 people, every course in courses/) in its own file
 * under bench/.data, for the page budgets (P1, P4, P6). Built once through the CLI; reused after.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Bump when the demo seed changes shape, so that a stale cached file is rebuilt. */
const DEMO_VERSION = 1;
export const DEMO_COURSES_DIR = path.resolve("courses");

/** The demo database's file, seeded on first use (about half a minute). */
export function demoDatabase(): string {
  const dir = path.resolve("bench/.data");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `demo-v${DEMO_VERSION}.db`);
  if (!fs.existsSync(file)) {
    const building = `${file}.building`;
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(building + suffix, { force: true });
    execFileSync(process.execPath, ["bin/staffroom.js", "demo", "--no-serve"], {
      env: { ...process.env, DATABASE_PATH: building, COURSES_DIR: DEMO_COURSES_DIR },
      stdio: ["ignore", "ignore", "inherit"],
    });
    fs.renameSync(building, file);
  }
  return file;
}

/**
 * Session cookies (`name=value`) for people, by email, as a login would give them. Call after
 * DATABASE_PATH points at the database the server will use.
 */
export async function sessionCookies(emails: string[]): Promise<Map<string, string>> {
  const { findUserByEmail } = await import("~/models/users.server");
  const { createSessionCookie } = await import("~/services/session.server");
  const cookies = new Map<string, string>();
  for (const email of emails) {
    const user = await findUserByEmail(email);
    if (!user) throw new Error(`${email} is not in the bench database.`);
    cookies.set(email, (await createSessionCookie(user.id)).split(";")[0]!);
  }
  return cookies;
}
