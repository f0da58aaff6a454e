import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { actorOf } from "~/models/audit.server";
import { exportPerson, PrivacyError } from "~/services/privacy.server";
import { requireAdmin } from "~/services/session.server";

const Params = z.object({ id: z.coerce.number().int().positive() });

/** Everything held about one person, as a JSON download (the same as `staffroom users export`). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireAdmin(request);
  const parsed = Params.safeParse(params);
  if (!parsed.success) throw new Response("There is no such person.", { status: 404 });
  try {
    const exported = await exportPerson(actorOf(viewer), parsed.data.id);
    return new Response(JSON.stringify(exported, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="person-${parsed.data.id}.json"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof PrivacyError) throw new Response(error.message, { status: 404 });
    throw error;
  }
}
