import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvExport, parseReportFilter } from "~/services/reports.server";
import { csvResponse } from "~/utils/csv.server";
import { requireManager } from "~/services/session.server";

/** The manager's team list with the page's filters (status, due date, completed date), streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireManager(request);
  return csvResponse(
    await csvExport("team", parseReportFilter(new URL(request.url).searchParams), viewer),
  );
}
