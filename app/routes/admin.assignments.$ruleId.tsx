import { actorOf } from "~/models/audit.server";
import { listDepartmentNames } from "~/models/departments.server";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { Field } from "~/components/field";
import { listPublishedCourses } from "~/models/courses.server";
import { getRule } from "~/models/assignments.server";

import {
  changeRule,
  createRule,
  removeRule,
  resolveRuleForm,
  type RuleFormErrors,
} from "~/services/assignments.server";
import assignmentStyles from "~/styles/assignments.css?url";
import { requireAdmin } from "~/services/session.server";
import { blankToUndefined } from "~/utils/form-values";

export const meta: MetaFunction = () => [{ title: "Assignment rule · Staffroom" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: assignmentStyles }];

const RuleId = z.union([z.literal("new"), z.coerce.number().int().positive()]);

async function ruleFor(param: string | undefined) {
  const parsed = RuleId.safeParse(param);
  if (!parsed.success) throw new Response("No such rule.", { status: 404 });
  if (parsed.data === "new") return null;
  const rule = await getRule(parsed.data);
  if (!rule) throw new Response("No such rule.", { status: 404 });
  return rule;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const [rule, courses, departments] = await Promise.all([
    ruleFor(params.ruleId),
    listPublishedCourses(),
    listDepartmentNames(),
  ]);
  return {
    rule,
    courses: courses.map((c) => ({ id: c.id, slug: c.slug, title: c.title })),
    departments,
  };
}

const RuleForm = z.object({
  course: z.string().max(100).default(""),
  audience: z.enum(["everyone", "department", "role", "managers", "people"], {
    message: "Choose who the rule is for.",
  }),
  department: z.preprocess(blankToUndefined, z.string().max(200).optional()),
  role: z.preprocess(
    blankToUndefined,
    z.enum(["admin", "leader"], { message: "Choose admin or leader." }).optional(),
  ),
  people: z.preprocess(
    blankToUndefined,
    z.string().max(50_000, "Too many people for one rule: use a department.").optional(),
  ),
  dueDays: z.coerce
    .number({ message: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(0, "Enter 0 or more days.")
    .max(3650, "Enter at most 3650 days (ten years)."),
  recurMonths: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: "Enter a number of months." })
      .int("Enter a whole number of months.")
      .min(1, "Repeat at least a month apart.")
      .max(120, "Repeat at most every 120 months.")
      .optional(),
  ),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = actorOf(await requireAdmin(request));
  const rule = await ruleFor(params.ruleId);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "delete") {
    if (!rule) throw new Response("No such rule.", { status: 404 });
    await removeRule(actor, rule.id);
    return redirect("/admin/assignments");
  }
  const parsed = RuleForm.safeParse(form);
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors as Record<string, string[] | undefined>;
    const errors = Object.fromEntries(
      Object.entries(fields).map(([key, messages]) => [key, messages?.[0]]),
    ) as RuleFormErrors;
    return data({ errors }, 400);
  }
  const resolved = await resolveRuleForm(parsed.data);
  if (resolved.errors) return data({ errors: resolved.errors }, 400);
  if (rule) await changeRule(actor, rule.id, resolved.input);
  else await createRule(actor, resolved.input);
  return redirect("/admin/assignments");
}

export default function AssignmentRule() {
  const { rule, courses, departments } = useLoaderData<typeof loader>();
  const errors: RuleFormErrors = useActionData<typeof action>()?.errors ?? {};
  const [audience, setAudience] = useState(rule?.audience ?? "everyone");
  const course = courses.find((c) => c.id === rule?.courseId);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/assignments">Assignments</Link>
      </p>
      <h1>{rule ? "Edit the rule" : "Add a rule"}</h1>
      <Form method="post" className="rule-form" noValidate>
        <div className="field">
          <label htmlFor="course">Course</label>
          <select
            id="course"
            name="course"
            defaultValue={course?.slug ?? ""}
            aria-invalid={errors.course ? true : undefined}
            aria-describedby={errors.course ? "course-error" : undefined}
          >
            <option value="">Every published course (and courses published later)</option>
            {courses.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.title}
              </option>
            ))}
          </select>
          {errors.course ? (
            <p className="field__error" id="course-error" role="alert">
              {errors.course}
            </p>
          ) : null}
        </div>
        <fieldset aria-describedby={errors.audience ? "audience-error" : undefined}>
          <legend>Who must take it</legend>
          {(
            [
              ["everyone", "Everyone"],
              ["department", "A department"],
              ["role", "Administrators or leaders"],
              ["managers", "Everyone with people reporting to them"],
              ["people", "Named people"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="audience"
                value={value}
                checked={audience === value}
                onChange={() => setAudience(value)}
              />{" "}
              {label}
            </label>
          ))}
          {errors.audience ? (
            <p className="field__error" id="audience-error" role="alert">
              {errors.audience}
            </p>
          ) : null}
          <div className="field">
            <label htmlFor="department">Department (for “A department”)</label>
            <select
              id="department"
              name="department"
              defaultValue={rule?.departmentName ?? ""}
              aria-invalid={errors.department ? true : undefined}
              aria-describedby={errors.department ? "department-error" : undefined}
            >
              <option value="">—</option>
              {departments.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
            {errors.department ? (
              <p className="field__error" id="department-error" role="alert">
                {errors.department}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="role">Roster flag (for “Administrators or leaders”)</label>
            <select
              id="role"
              name="role"
              defaultValue={rule?.role ?? ""}
              aria-invalid={errors.role ? true : undefined}
              aria-describedby={errors.role ? "role-error" : undefined}
            >
              <option value="">—</option>
              <option value="admin">Administrators</option>
              <option value="leader">Leaders</option>
            </select>
            {errors.role ? (
              <p className="field__error" id="role-error" role="alert">
                {errors.role}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="people">Emails, one per line (for “Named people”)</label>
            <textarea
              id="people"
              name="people"
              rows={4}
              defaultValue={rule?.people.map((p) => p.email).join("\n") ?? ""}
              aria-invalid={errors.people ? true : undefined}
              aria-describedby={errors.people ? "people-error" : undefined}
            />
            {errors.people ? (
              <p className="field__error" id="people-error" role="alert">
                {errors.people}
              </p>
            ) : null}
          </div>
        </fieldset>
        <Field
          label="Due after (days)"
          name="dueDays"
          type="number"
          min={0}
          max={3650}
          defaultValue={rule?.dueDays ?? 30}
          hint="Counted from the later of the day the course is assigned and the person's hire date."
          error={errors.dueDays}
        />
        <Field
          label="Repeat every (months)"
          name="recurMonths"
          type="number"
          min={1}
          max={120}
          defaultValue={rule?.recurMonths ?? ""}
          hint="Leave empty for a one-off. A repeat falls due this long after the last completion; earlier completions are kept."
          error={errors.recurMonths}
        />
        <button type="submit" className="button">
          {rule ? "Save the rule" : "Add the rule"}
        </button>
      </Form>
      {rule ? (
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <p>
            <button type="submit" className="button button--quiet">
              Delete this rule
            </button>
          </p>
        </Form>
      ) : null}
    </>
  );
}
