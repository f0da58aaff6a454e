import type { LoaderFunctionArgs } from "@remix-run/node";
import { readCourseAsset } from "~/services/courses.server";
import { requireViewer } from "~/services/session.server";

/** Course images (`<Figure src="/course-assets/<course>/<file>">`), for signed-in people. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request);
  const asset = await readCourseAsset(params.course ?? "", params.file ?? "");
  if (!asset) throw new Response("There is no such course image.", { status: 404 });
  return new Response(new Uint8Array(asset.body), {
    headers: {
      "Content-Type": asset.contentType,
      "Content-Length": String(asset.body.length),
      "Cache-Control": "private, max-age=3600",
    },
  });
}
