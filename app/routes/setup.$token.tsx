import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { AccountError, createFirstAdmin, isFirstAdminLinkLive } from "~/services/accounts.server";
import { createSessionCookie } from "~/services/session.server";

export const meta: MetaFunction = () => [{ title: "Create the first administrator · Staffroom" }];

const SetupForm = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200),
  email: z.string().trim().email("Enter a valid email address.").max(254),
  password: z.string().max(256),
});

export async function loader({ params }: LoaderFunctionArgs) {
  if (!(await isFirstAdminLinkLive(params.token ?? ""))) {
    throw new Response("This set-up link has expired or was already used.", { status: 404 });
  }
  return null;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = SetupForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    return data(
      {
        errors: {
          name: fields.name?.[0],
          email: fields.email?.[0],
          password: fields.password?.[0],
          form: undefined,
        },
      },
      400,
    );
  }
  try {
    const userId = await createFirstAdmin(params.token ?? "", parsed.data);
    return redirect("/", { headers: { "Set-Cookie": await createSessionCookie(userId) } });
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    return data(
      {
        errors: {
          name: undefined,
          email: undefined,
          password: undefined,
          form: undefined,
          [error.field]: error.message,
        },
      },
      400,
    );
  }
}

export default function Setup() {
  const errors = useActionData<typeof action>()?.errors;
  return (
    <section className="auth-card" aria-labelledby="setup-title">
      <h1 id="setup-title">Create the first administrator</h1>
      <p className="muted">This link works once. You can invite everyone else afterwards.</p>
      <FormError message={errors?.form} />
      <Form method="post" noValidate>
        <Field label="Your name" name="name" autoComplete="name" required error={errors?.name} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          error={errors?.email}
        />
        <NewPasswordField label="Password" error={errors?.password} />
        <button type="submit" className="button">
          Create administrator
        </button>
      </Form>
    </section>
  );
}
