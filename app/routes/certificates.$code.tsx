import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { certificateFor } from "~/services/certificates.server";
import { requireViewer } from "~/services/session.server";
import { formatDay } from "~/utils/dates";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Certificate: ${data.courseTitle} · ${data.holderName} · Staffroom`
      : "Certificate · Staffroom",
  },
];

const Paper = z.enum(["a4", "letter"]).catch("a4");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const paper = Paper.parse(new URL(request.url).searchParams.get("paper") ?? undefined);
  return { ...(await certificateFor(viewer, params.code ?? "")), paper };
}

export default function CertificatePage() {
  const c = useLoaderData<typeof loader>();
  return (
    <div className="certificate-page">
      <div className="certificate-actions">
        <Link to={`/courses/${c.courseSlug}`}>← {c.courseTitle}</Link>
        <nav aria-label="Paper size" className="certificate-actions__paper">
          Paper:{" "}
          <Link to="?paper=a4" aria-current={c.paper === "a4" ? "page" : undefined}>
            A4
          </Link>{" "}
          <Link to="?paper=letter" aria-current={c.paper === "letter" ? "page" : undefined}>
            Letter
          </Link>
        </nav>
        <button type="button" className="button" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <article
        className={`certificate certificate--${c.paper}`}
        aria-labelledby="certificate-title"
      >
        <div className="certificate__frame">
          <p className="certificate__brand">Staffroom</p>
          <h1 id="certificate-title" className="certificate__title">
            Certificate of completion
          </h1>
          <p className="certificate__lead">This certifies that</p>
          <p className="certificate__name">{c.holderName}</p>
          <p className="certificate__lead">has completed the course</p>
          <p className="certificate__course">{c.courseTitle}</p>
          <p className="certificate__date">
            on <time dateTime={c.completedOn}>{formatDay(c.completedOn)}</time>
          </p>
          <dl className="certificate__facts">
            <div>
              <dt>Course version</dt>
              <dd>
                {c.courseVersion}
                {c.contentPublishedOn ? ` (content of ${formatDay(c.contentPublishedOn)})` : null}
              </dd>
            </div>
            <div>
              <dt>Verification code</dt>
              <dd>
                <code data-testid="certificate-code">{c.code}</code>
              </dd>
            </div>
            <div>
              <dt>Verify at</dt>
              <dd>
                <a href={c.verifyUrl}>{c.verifyUrl}</a>
              </dd>
            </div>
          </dl>
        </div>
      </article>
    </div>
  );
}
