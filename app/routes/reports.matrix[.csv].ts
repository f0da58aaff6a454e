import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvExport, parseReportFilter } from "~/services/reports.server";
import { csvResponse } from "~/utils/csv.server";
import { requireLeader } from "~/services/session.server";

/** Every active person × every assigned course: status, due date, completed date; streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireLeader(request);
  return csvResponse(
    await csvExport("matrix", parseReportFilter(new URL(request.url).searchParams), viewer),
  );
}
