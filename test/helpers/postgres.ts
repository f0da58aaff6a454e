import crypto from "node:crypto";
import pg from "pg";

/** `npm run test:pg` sets this to a PostgreSQL server whose user may create databases. */
export const testPostgresServer = () => process.env.STAFFROOM_TEST_POSTGRES || undefined;

/** A new, empty database on the test server, named after this run; its URL. */
export async function createTestDatabase(server: string, label = "t"): Promise<string> {
  const name = `staffroom_test_${label}_${crypto.randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}
