import {
  completionSnapshot,
  formatCertificateCode,
  getCertificate,
  insertCertificate,
  normalizeCertificateCode,
} from "~/models/certificates.server";
import { canViewPerson, type Viewer } from "~/models/users.server";
import { dayOf } from "~/utils/calendar.server";
import { notFound } from "~/utils/domain-errors.server";
import { publicOrigin } from "~/utils/env.server";

/**
 * Issues the certificate of a course completion, in the completion's write: a snapshot of the
 * holder's name, the course title and the lesson versions completed. Returns its code.
 */
export async function issueCertificate(
  userId: number,
  courseId: number,
  completedAt: string,
): Promise<string> {
  const snapshot = await completionSnapshot(userId, courseId);
  return insertCertificate({ userId, courseId, ...snapshot, completedAt });
}

export const verifyUrl = (code: string) => `${publicOrigin()}/verify/${code}`;

/** The certificate page: for its holder and for anyone who may view the holder's training. */
export async function certificateFor(viewer: Viewer, codeInput: string) {
  const code = normalizeCertificateCode(codeInput);
  const certificate = code ? await getCertificate(code) : undefined;
  // Someone else's certificate is "not found", so that codes cannot be probed here.
  if (!certificate || !(await canViewPerson(viewer, certificate.userId))) {
    throw notFound("There is no such certificate.");
  }
  return {
    holderName: certificate.holderName,
    courseTitle: certificate.courseTitle,
    courseSlug: certificate.courseSlug,
    courseVersion: certificate.courseVersion,
    completedOn: dayOf(certificate.completedAt),
    contentPublishedOn: certificate.contentPublishedAt && dayOf(certificate.contentPublishedAt),
    code: formatCertificateCode(certificate.code),
    verifyUrl: verifyUrl(certificate.code),
    isHolder: viewer.id === certificate.userId,
  };
}

/** The public verification page: whether the code is valid and, if so, only name, course and date. */
export async function verifyCertificate(codeInput: string) {
  const code = normalizeCertificateCode(codeInput);
  const certificate = code ? await getCertificate(code) : undefined;
  if (!certificate) return { valid: false as const };
  return {
    valid: true as const,
    holderName: certificate.holderName,
    courseTitle: certificate.courseTitle,
    completedOn: dayOf(certificate.completedAt),
  };
}
