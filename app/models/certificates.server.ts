/**
 * Certificates: one per course completion, issued in the completion's own transaction. The code is
 * 120 random bits in base32: it names the certificate page and the public verification page.
 */
import { randomBytes } from "node:crypto";
import { sha256Hex } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const CODE = /^[a-z2-7]{24}$/;

function newCode(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Accepts the code as printed (any case, with or without dashes and spaces); null if malformed. */
export function normalizeCertificateCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, "").toLowerCase();
  return CODE.test(code) ? code : null;
}

/** `abcd-efgh-…`: easier to read aloud and to type. */
export const formatCertificateCode = (code: string) => code.replace(/(.{4})(?=.)/g, "$1-");

/** What a certificate records of a completion: the holder's name, the course, the versions. */
export async function completionSnapshot(userId: number, courseId: number) {
  const [person, course, lessons] = await Promise.all([
    db.selectFrom("users").select("name").where("id", "=", userId).executeTakeFirstOrThrow(),
    db.selectFrom("courses").select("title").where("id", "=", courseId).executeTakeFirstOrThrow(),
    db
      .selectFrom("lessons as l")
      .innerJoin("lesson_progress as lp", (join) =>
        join.onRef("lp.lesson_id", "=", "l.id").on("lp.user_id", "=", userId),
      )
      .select(["l.id as lessonId", "lp.version_id as versionId"])
      .where("l.course_id", "=", courseId)
      .where("l.status", "=", "published")
      .orderBy("l.position")
      .orderBy("l.id")
      .execute(),
  ]);
  return { holderName: person.name, courseTitle: course.title, versions: lessons };
}

export async function insertCertificate(certificate: {
  userId: number;
  courseId: number;
  holderName: string;
  courseTitle: string;
  versions: { lessonId: number; versionId: number | null }[];
  completedAt: string;
}): Promise<string> {
  const code = newCode();
  const { versions } = certificate;
  await db
    .insertInto("certificates")
    .values({
      code,
      user_id: certificate.userId,
      course_id: certificate.courseId,
      holder_name: certificate.holderName,
      course_title: certificate.courseTitle,
      course_version: sha256Hex(
        versions.map((v) => `${v.lessonId}:${v.versionId}`).join(","),
      ).slice(0, 12),
      lesson_versions: JSON.stringify(versions),
      completed_at: certificate.completedAt,
    })
    .execute();
  return code;
}

export interface Certificate {
  code: string;
  userId: number;
  holderName: string;
  courseTitle: string;
  courseSlug: string;
  courseVersion: string;
  completedAt: string;
  /** When the newest lesson version in this completion was published. */
  contentPublishedAt: string | null;
}

export async function getCertificate(code: string): Promise<Certificate | undefined> {
  const row = await db
    .selectFrom("certificates as cert")
    .innerJoin("courses as c", "c.id", "cert.course_id")
    .select([
      "cert.code",
      "cert.user_id",
      "cert.holder_name",
      "cert.course_title",
      "cert.course_version",
      "cert.lesson_versions",
      "cert.completed_at",
      "c.slug",
    ])
    .where("cert.code", "=", code)
    .executeTakeFirst();
  if (!row) return undefined;
  const versionIds = (JSON.parse(row.lesson_versions) as { versionId: number | null }[])
    .map((v) => v.versionId)
    .filter((id): id is number => id != null);
  const newest =
    versionIds.length === 0
      ? undefined
      : await db
          .selectFrom("lesson_versions")
          .select((eb) => eb.fn.max("published_at").as("at"))
          .where("id", "in", versionIds)
          .executeTakeFirst();
  return {
    code: row.code,
    userId: row.user_id,
    holderName: row.holder_name,
    courseTitle: row.course_title,
    courseSlug: row.slug,
    courseVersion: row.course_version,
    completedAt: row.completed_at,
    contentPublishedAt: newest?.at ?? null,
  };
}

/** The most recent certificate of a person for a course, if any. */
export async function latestCertificateCode(
  userId: number,
  courseId: number,
): Promise<string | null> {
  const row = await db
    .selectFrom("certificates")
    .select("code")
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row?.code ?? null;
}
