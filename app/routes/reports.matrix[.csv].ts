import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvExport, parseReportFilter } from "~/services/reports.server";
import { requireLeader } from "~/services/session.server";

/** Every active person × every assigned course: status, due date, completed date; streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireLeader(request);
  return csvExport("matrix", parseReportFilter(new URL(request.url).searchParams), viewer);
}
