import { databaseHealth } from "~/models/health.server";

/** 200 {"status":"ok"}; 503 {"status":"unavailable","reason":…} when the database cannot take a write. */
export async function loader() {
  const health = await databaseHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
