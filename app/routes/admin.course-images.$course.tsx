import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthoringCrumbs } from "~/components/authoring";
import { actorOf } from "~/models/audit.server";
import {
  MAX_IMAGE_BYTES,
  listCourseImages,
  saveCourseImage,
} from "~/services/course-images.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction = () => [{ title: "Course images · Staffroom" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return {
    ...(await listCourseImages(params.course ?? "")),
    maxMegabytes: MAX_IMAGE_BYTES / 1024 / 1024,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = actorOf(await requireAdmin(request));
  // The server has bounded the body already (services/request-body.server.ts).
  const form = await request.formData().catch(() => {
    throw new Response("This upload is malformed: it is not a valid multipart form.", {
      status: 400,
    });
  });
  const file = form.get("image");
  if (!(file instanceof File)) return data({ error: "Choose an image to upload." }, 400);
  const outcome = await saveCourseImage(
    actor,
    params.course ?? "",
    { name: file.name, bytes: Buffer.from(await file.arrayBuffer()) },
    form.get("replace") === "yes",
  );
  return "saved" in outcome
    ? { image: { ...outcome.saved, exists: false } }
    : data({ image: { ...outcome.exists, exists: true } }, 409);
}

export default function CourseImages() {
  const { course, images, maxMegabytes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <AuthoringCrumbs course={course} />
      <h1>Images: {course.title}</h1>
      <p className="lede">
        Images live in the course folder. Use one in a lesson with{" "}
        <code>{`<Figure src="/course-assets/${course.slug}/name.png" alt="…" />`}</code>.
      </p>
      {result && "error" in result ? (
        <p className="form-error" role="alert">
          {result.error}
        </p>
      ) : null}
      {result && "image" in result ? (
        result.image.exists ? (
          <p className="notice notice--warn" role="status">
            {result.image.file} already exists. Tick “Replace an image of the same name” to replace
            it.
          </p>
        ) : (
          <p className="notice" role="status">
            Saved as <code>{result.image.url}</code>.
          </p>
        )
      ) : null}
      <Form method="post" encType="multipart/form-data" className="panel">
        <div className="field">
          <label htmlFor="image">Image (PNG, JPEG, GIF or WebP, at most {maxMegabytes} MB)</label>
          <input
            id="image"
            type="file"
            name="image"
            required
            accept="image/png,image/jpeg,image/gif,image/webp"
          />
        </div>
        <label className="choice">
          <input type="checkbox" name="replace" value="yes" /> Replace an image of the same name
        </label>
        <button type="submit" className="button">
          Upload
        </button>
      </Form>
      <h2>In this course</h2>
      {images.length === 0 ? (
        <p>No images yet.</p>
      ) : (
        <ul>
          {images.map((name) => (
            <li key={name}>
              <code>{`/course-assets/${course.slug}/${name}`}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
