import { databaseHealth } from "~/models/health.server";

export async function loader() {
  const health = await databaseHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
