import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { AccountError, changeOwnPassword } from "~/services/accounts.server";
import { createSessionCookie, requireViewer } from "~/services/session.server";

export const meta: MetaFunction = () => [{ title: "Change your password · Staffroom" }];

const ChangeForm = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(256),
    password: z.string().max(256),
    confirm: z.string().max(256),
  })
  .refine((f) => f.password === f.confirm, {
    path: ["confirm"],
    message: "The two new passwords differ.",
  });

type Errors = Partial<Record<"current" | "password" | "confirm" | "form", string>>;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request);
  return { changed: new URL(request.url).searchParams.has("changed") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const parsed = ChangeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = z.flattenError(parsed.error).fieldErrors;
    const errors: Errors = {
      current: fields.current?.[0],
      password: fields.password?.[0],
      confirm: fields.confirm?.[0],
    };
    return data({ errors }, 400);
  }
  try {
    await changeOwnPassword(
      viewer,
      parsed.data.current,
      parsed.data.password,
      context.clientIp ?? "unknown",
    );
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    const field = error.field === "current" || error.field === "password" ? error.field : "form";
    return data({ errors: { [field]: error.message } as Errors }, 400);
  }
  // Every session ended with the change (this request's too): this browser gets a fresh one.
  return redirect("/account/password?changed=1", {
    headers: { "Set-Cookie": await createSessionCookie(viewer.id) },
  });
}

export default function ChangePassword() {
  const { changed } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors ?? {};
  return (
    <section className="auth-card" aria-labelledby="password-title">
      <h1 id="password-title">Change your password</h1>
      {changed && !errors.current ? (
        <p className="done-note" role="status">
          Your password is changed. You were logged out everywhere else.
        </p>
      ) : null}
      <FormError message={errors.form} />
      <Form method="post" noValidate>
        <Field
          label="Current password"
          name="current"
          type="password"
          autoComplete="current-password"
          required
          error={errors.current}
        />
        <NewPasswordField label="New password" error={errors.password} />
        <Field
          label="The same new password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          error={errors.confirm}
        />
        <button type="submit" className="button">
          Change password
        </button>
      </Form>
    </section>
  );
}
