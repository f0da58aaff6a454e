/**
 * Images uploaded from the editor into a course's folder, where `<Figure src="/course-assets/…">`
 * finds them. The type comes from the file's first bytes, not its name; the name is made safe
 * (kebab-case, no folders); an existing image is replaced only when the admin confirms; no
 * symbolic link is followed.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { appendAudit, type Actor } from "~/models/audit.server";
import { getCourseBySlug } from "~/models/courses.server";
import { writeTransaction } from "~/utils/db.server";
import { invalid, notFound } from "~/utils/domain-errors.server";
import { env } from "~/utils/env.server";
import { kebab } from "~/utils/slug";
import { COURSE_ASSET_FILE } from "./mdx-compile.server";

/** The largest image accepted: a photo for a lesson, not a print original. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const SIGNATURES: { type: "png" | "jpg" | "gif" | "webp"; matches: (b: Buffer) => boolean }[] = [
  {
    type: "png",
    matches: (b) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: "jpg", matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "gif", matches: (b) => /^GIF8[79]a$/.test(b.subarray(0, 6).toString("latin1")) },
  {
    type: "webp",
    matches: (b) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" &&
      b.subarray(8, 12).toString("latin1") === "WEBP",
  },
];

/** The image type the bytes are, whatever the file is called. */
export function sniffImage(bytes: Buffer): "png" | "jpg" | "gif" | "webp" | undefined {
  return SIGNATURES.find((s) => s.matches(bytes))?.type;
}

/** `Team Photo (1).PNG` → `team-photo-1.png`: the name's own extension is never trusted. */
export function imageFileName(original: string, type: string): string {
  const base = path.basename(original.replaceAll("\\", "/")).replace(/\.[^.]*$/, "");
  return `${kebab(base) || "image"}.${type}`;
}

export type ImageOutcome =
  | { saved: { file: string; url: string; replaced: boolean } }
  | { exists: { file: string; url: string } };

/**
 * Saves an image into COURSES_DIR/<course>/. A file of that name is replaced only with
 * `replace`; otherwise the answer says it exists, and nothing is written.
 */
export async function saveCourseImage(
  actor: Actor,
  courseSlug: string,
  upload: { name: string; bytes: Buffer },
  replace: boolean,
): Promise<ImageOutcome> {
  const course = await getCourseBySlug(courseSlug);
  if (!course)
    throw notFound("Images go into a published course's folder: publish the course first.");
  if (upload.bytes.length === 0) throw invalid("Choose an image to upload.");
  if (upload.bytes.length > MAX_IMAGE_BYTES) {
    throw invalid(`That image is too large: the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB.`);
  }
  const type = sniffImage(upload.bytes);
  if (!type) throw invalid("That file is not a PNG, JPEG, GIF or WebP image.");
  const file = imageFileName(upload.name, type);
  if (!COURSE_ASSET_FILE.test(file)) throw invalid("That file name cannot be used.");
  const folder = path.join(env().coursesDir, courseSlug);
  if (!fs.lstatSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw invalid("The course folder is not a real folder (a symbolic link?).");
  }
  const target = path.join(folder, file);
  const url = `/course-assets/${courseSlug}/${file}`;
  const existing = fs.lstatSync(target, { throwIfNoEntry: false });
  if (existing && !replace) return { exists: { file, url } };
  if (existing && !existing.isFile()) throw invalid(`${file} is not a regular file: it stays.`);

  const temp = path.join(folder, `.${file}.${crypto.randomBytes(6).toString("hex")}.tmp`);
  fs.writeFileSync(temp, upload.bytes, { flag: "wx" });
  try {
    // A new name is linked (which never overwrites); a confirmed replacement is renamed over.
    if (existing) fs.renameSync(temp, target);
    else fs.linkSync(temp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { exists: { file, url } };
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  await writeTransaction(() =>
    appendAudit(actor, [
      {
        action: "course.image_uploaded",
        subject: `${courseSlug}/${file}`,
        after: { bytes: upload.bytes.length, type, replaced: existing !== undefined },
      },
    ]),
  );
  return { saved: { file, url, replaced: existing !== undefined } };
}

/** A published course's images (the files the course-assets route serves). */
export async function listCourseImages(
  courseSlug: string,
): Promise<{ course: { slug: string; title: string }; images: string[] }> {
  const course = await getCourseBySlug(courseSlug);
  if (!course) throw notFound("There is no such published course.");
  const folder = path.join(env().coursesDir, courseSlug);
  const entries = fs.lstatSync(folder, { throwIfNoEntry: false })?.isDirectory()
    ? fs.readdirSync(folder, { withFileTypes: true })
    : [];
  return {
    course: { slug: course.slug, title: course.title },
    images: entries
      .filter((e) => e.isFile() && COURSE_ASSET_FILE.test(e.name))
      .map((e) => e.name)
      .sort(),
  };
}
