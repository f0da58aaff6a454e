import { spawn } from "node:child_process";
import path from "node:path";
import { migrateToLatest } from "#db/migrate";
import { recomputeAssignments } from "~/services/assignments.server";
import { formatCourseErrors, syncCourses } from "~/services/courses.server";
import { DEMO_LOGINS, DEMO_PASSWORD, DemoRefused, seedDemo } from "~/services/demo.server";
import { closeDatabase, handlesFor } from "~/utils/db.server";
import { env, publicOrigin } from "~/utils/env.server";

/** Seeds a demo organisation into its own database (never the production one) and serves it. */
export async function demoCommand(args: string[]): Promise<number> {
  process.env.DATABASE_PATH ??= "./data/demo.db";
  await migrateToLatest();
  const sync = await syncCourses(env().coursesDir);
  if (sync.errors.length > 0) {
    console.error(
      `The courses have errors, so the demo cannot start:\n${formatCourseErrors(sync.errors)}`,
    );
    return 1;
  }
  await recomputeAssignments();
  try {
    const seeded = await seedDemo();
    console.log(
      `Seeded the demo organisation: ${seeded.people} people, ${seeded.completions} lesson completions.`,
    );
  } catch (error) {
    if (!(error instanceof DemoRefused)) throw error;
    console.log(
      `${error.message}\nServing ${handlesFor().location} as it is. For a fresh demo, delete that database and run npm run demo again.`,
    );
  }
  await closeDatabase();
  if (args.includes("--no-serve")) return 0;

  console.log(`\nDemo logins (password for all: ${DEMO_PASSWORD}):`);
  for (const login of DEMO_LOGINS) console.log(`  ${login.role.padEnd(32)} ${login.email}`);
  console.log(`\nOpen ${publicOrigin()} in your browser. Stop with Ctrl-C.\n`);

  const server = spawn(process.execPath, [path.resolve("server.js")], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  return new Promise((resolve) => server.on("exit", (code) => resolve(code ?? 0)));
}
