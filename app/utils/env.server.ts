import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional(),
  DATABASE_PATH: z.string().min(1).default("./data/staffroom.db"),
  COURSES_DIR: z.string().min(1).default("./courses"),
  ORIGIN: z.string().url().optional(),
  SMTP_URL: z.string().optional(),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});

export type Env = z.infer<typeof EnvSchema> & { databasePath: string; coursesDir: string };

let cached: Env | undefined;

/** Parsed once; paths resolve from the working directory because the build moves code around. */
export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  cached = {
    ...parsed.data,
    databasePath: path.resolve(process.cwd(), parsed.data.DATABASE_PATH),
    coursesDir: path.resolve(process.cwd(), parsed.data.COURSES_DIR),
  };
  return cached;
}

export function publicOrigin(): string {
  return env().ORIGIN ?? `http://localhost:${env().PORT}`;
}
