import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvExport, parseReportFilter } from "~/services/reports.server";
import { csvResponse } from "~/utils/csv.server";
import { requireLeader } from "~/services/session.server";
import { UNFINISHED_STATUSES } from "~/utils/progress-status";

/** The not-finished list with the page's filters, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireLeader(request);
  const filter = parseReportFilter(new URL(request.url).searchParams, UNFINISHED_STATUSES);
  return csvResponse(await csvExport("not-finished", filter, viewer));
}
