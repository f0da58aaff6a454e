import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { verifyCertificate } from "~/services/certificates.server";
import { formatDay } from "~/utils/dates";

export const meta: MetaFunction = () => [
  { title: "Verify a certificate · Staffroom" },
  { name: "robots", content: "noindex" },
];

/** Public: anyone holding a certificate's code may check it. Shows name, course and date only. */
export async function loader({ params }: LoaderFunctionArgs) {
  const result = await verifyCertificate(params.code ?? "");
  return data(result, { status: result.valid ? 200 : 404 });
}

export default function VerifyPage() {
  const result = useLoaderData<typeof loader>();
  return (
    <section className="verify" aria-labelledby="verify-title">
      {result.valid ? (
        <>
          <h1 id="verify-title">Valid certificate</h1>
          <p className="verify__result verify__result--valid" role="status">
            This code belongs to a genuine Staffroom certificate.
          </p>
          <dl className="verify__facts">
            <dt>Name</dt>
            <dd data-testid="verify-name">{result.holderName}</dd>
            <dt>Course</dt>
            <dd data-testid="verify-course">{result.courseTitle}</dd>
            <dt>Completed on</dt>
            <dd>
              <time dateTime={result.completedOn}>{formatDay(result.completedOn)}</time>
            </dd>
          </dl>
        </>
      ) : (
        <>
          <h1 id="verify-title">Not a valid certificate</h1>
          <p className="verify__result verify__result--invalid" role="status">
            No certificate has this code. Check that it was typed exactly as printed.
          </p>
        </>
      )}
    </section>
  );
}
