import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

const TITLES: Record<number, string> = {
  400: "That request did not make sense",
  401: "Please log in",
  403: "You do not have access to this page",
  404: "We could not find that page",
  503: "Staffroom is temporarily unavailable",
};

/** The one place expected failures (thrown Responses) and unexpected errors are shown. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const title = TITLES[error.status] ?? "Something went wrong";
    const detail = typeof error.data === "string" && error.data ? error.data : null;
    return (
      <section className="error-page" aria-labelledby="error-title">
        <p className="error-page__code">Error {error.status}</p>
        <h1 id="error-title">{title}</h1>
        {detail ? <p>{detail}</p> : null}
        <p>
          <Link to="/">Back to my training</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-page__code">Error 500</p>
      <h1 id="error-title">Something went wrong on our side</h1>
      <p>The problem has been logged. Please try again in a moment.</p>
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </section>
  );
}
