import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { AccountError } from "~/services/accounts.server";
import { setPasswordLinkFor, setPasswordWithLink } from "~/services/invitations.server";
import { createSessionCookie } from "~/services/session.server";

export const meta: MetaFunction = () => [{ title: "Set your password · Staffroom" }];

const PasswordForm = z
  .object({ password: z.string().max(256), confirm: z.string().max(256) })
  .refine((f) => f.password === f.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  });

const EXPIRED = "This link has expired or was already used. Ask your administrator for a new one.";

export async function loader({ params }: LoaderFunctionArgs) {
  const link = await setPasswordLinkFor(params.token ?? "");
  if (!link) throw new Response(EXPIRED, { status: 404 });
  return link;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = PasswordForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = z.flattenError(parsed.error).fieldErrors;
    return data(
      { errors: { password: fields.password?.[0], confirm: fields.confirm?.[0], form: undefined } },
      400,
    );
  }
  try {
    const userId = await setPasswordWithLink(params.token ?? "", parsed.data.password);
    return redirect("/", { headers: { "Set-Cookie": await createSessionCookie(userId) } });
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    const errors = { password: undefined, confirm: undefined, form: undefined };
    return data(
      { errors: { ...errors, [error.field === "password" ? "password" : "form"]: error.message } },
      400,
    );
  }
}

export default function SetPassword() {
  const { name, email, purpose } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  return (
    <section className="auth-card" aria-labelledby="set-password-title">
      <h1 id="set-password-title">
        {purpose === "invite" ? `Welcome to Staffroom, ${name}` : "Choose a new password"}
      </h1>
      <p className="muted">
        Set a password for <strong>{email}</strong>. This link works once; afterwards you log in
        with your email and this password.
      </p>
      <FormError message={errors?.form} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" value={email} autoComplete="username" />
        <NewPasswordField label="New password" error={errors?.password} />
        <Field
          label="The same password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          error={errors?.confirm}
        />
        <button type="submit" className="button">
          Set password and log in
        </button>
      </Form>
    </section>
  );
}
