import path from "node:path";
import { IANAZone } from "luxon";
import { z } from "zod";

/** A public URL without a path: "https://learn.example.com/" becomes "https://learn.example.com". */
const Origin = z
  .string()
  .url()
  .transform((value, ctx) => {
    const url = new URL(value);
    if (url.pathname !== "/" || url.search || url.hash) {
      ctx.addIssue({
        code: "custom",
        message: `must be the site's address without a path (e.g. ${url.origin}); Staffroom is served from the root of its origin`,
      });
      return z.NEVER;
    }
    return url.origin;
  });

const serverTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional(),
  DATABASE_PATH: z.string().min(1).default("./data/staffroom.db"),
  /** Set: PostgreSQL instead of the SQLite file at DATABASE_PATH. */
  DATABASE_URL: z
    .string()
    .optional()
    .refine((url) => !url || /^postgres(ql)?:\/\//.test(url), {
      message:
        "must be a PostgreSQL URL such as postgres://staffroom:secret@db.example.com/staffroom",
    }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  COURSES_DIR: z.string().min(1).default("./courses"),
  ORIGIN: Origin.optional(),
  ORG_TIMEZONE: z
    .string()
    .optional()
    .refine((zone) => !zone || IANAZone.isValidZone(zone), {
      message: "must be an IANA time zone name such as Europe/London or America/New_York",
    }),
  SMTP_URL: z.string().optional(),
  /** The organisation's name in emails, until an admin sets one on the reminders page. */
  ORG_NAME: z.string().trim().max(100).optional(),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});

export type Env = z.infer<typeof EnvSchema> & {
  databasePath: string;
  coursesDir: string;
  orgTimeZone: string;
};

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
    orgTimeZone: parsed.data.ORG_TIMEZONE || serverTimeZone(),
  };
  return cached;
}

/** The public origin (scheme, host and port only): CSRF checks, links and cookie security. */
export function publicOrigin(): string {
  return env().ORIGIN ?? `http://localhost:${env().PORT}`;
}
