import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFinishedCsv, notFinishedList, parseNotFinishedFilter } from "~/services/reports.server";
import { requireLeader } from "~/utils/auth.server";
import { nowIso } from "~/utils/clock.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireLeader(request);
  const rows = await notFinishedList(parseNotFinishedFilter(new URL(request.url).searchParams));
  return new Response(notFinishedCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="not-finished-${nowIso().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
