import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError } from "~/components/field";
import { attemptLogin, FAILED_LOGIN_MESSAGE, retryMessage } from "~/services/login.server";
import { createSessionCookie, getViewerOrNull } from "~/services/session.server";
import { safeRedirect } from "~/utils/safe-redirect";

export const meta: MetaFunction = () => [{ title: "Log in · Staffroom" }];

const LoginForm = z.object({
  email: z.string().trim().min(1, "Enter your email address.").max(254),
  password: z.string().min(1, "Enter your password.").max(256),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getViewerOrNull(request)) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = LoginForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    return data(
      { errors: { email: fields.email?.[0], password: fields.password?.[0] }, form: undefined },
      400,
    );
  }
  const { email, password, redirectTo } = parsed.data;
  const result = await attemptLogin(email, password, context.clientIp ?? "unknown");
  if (!result.ok) {
    const errors = { email: undefined, password: undefined };
    if (result.reason === "invalid") return data({ errors, form: FAILED_LOGIN_MESSAGE }, 400);
    return data(
      { errors, form: retryMessage(result.retryAfterMs) },
      { status: 429, headers: { "Retry-After": String(Math.ceil(result.retryAfterMs / 1000)) } },
    );
  }
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await createSessionCookie(result.userId) },
  });
}

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Log in to Staffroom</h1>
      <p className="muted">Your training, your team and your reports in one place.</p>
      <FormError message={actionData?.form} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? "/"} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          error={actionData?.errors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={actionData?.errors.password}
        />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Logging in…" : "Log in"}
        </button>
      </Form>
      <p className="muted small">
        Forgotten your password? Ask your Staffroom administrator for a new link.
      </p>
    </section>
  );
}
