import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useNonce } from "~/components/nonce";
import appStyles from "~/styles/app.css?url";
import { getViewerOrNull } from "~/services/session.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: appStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return { viewer: await getViewerOrNull(request) };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const viewer = data?.viewer;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            <NavLink to="/" className="brand" end>
              Staffroom
            </NavLink>
            {viewer ? (
              <nav aria-label="Main" className="main-nav">
                <NavLink to="/" end>
                  My training
                </NavLink>
                {viewer.isManager ? <NavLink to="/team">My team</NavLink> : null}
                {viewer.isLeader || viewer.isAdmin ? (
                  <NavLink to="/reports">Reports</NavLink>
                ) : null}
                {viewer.isAdmin ? <NavLink to="/admin/courses">Courses</NavLink> : null}
                {viewer.isAdmin ? <NavLink to="/admin/assignments">Assignments</NavLink> : null}
                {viewer.isAdmin ? <NavLink to="/admin/people">People</NavLink> : null}
                <Form method="post" action="/logout" className="logout-form">
                  <NavLink
                    to="/account"
                    className="who"
                    title="Your account: messages and password"
                  >
                    {viewer.name}
                  </NavLink>
                  <button type="submit" className="button button--quiet">
                    Log out
                  </button>
                </Form>
              </nav>
            ) : null}
          </div>
        </header>
        <main id="main" className="page">
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
