import { sql } from "kysely";
import { DomainError } from "~/utils/domain-errors.server";
import { beforeAll, describe, expect, test } from "vitest";
import { createUser, getViewer } from "~/models/users.server";
import { certificateFor, verifyCertificate } from "~/services/certificates.server";
import { syncCourses } from "~/services/courses.server";
import { markLessonComplete } from "~/services/lessons.server";
import { all, migratedDatabase, one } from "./helpers/db";
import { completeQuizCourse } from "./helpers/quiz-course";

const ids: Record<string, number> = {};
let code: string;

const viewer = async (key: string) => (await getViewer(ids[key]!))!;

beforeAll(async () => {
  await migratedDatabase();
  expect((await syncCourses("test/fixtures/courses-quiz")).errors).toEqual([]);
  ids.lee = await createUser({
    email: "lee@x.example",
    name: "Lee",
    departmentId: null,
    isLeader: true,
  });
  ids.mia = await createUser({ email: "mia@x.example", name: "Mia", departmentId: null });
  ids.ann = await createUser({
    email: "ann@x.example",
    name: "Ann Able",
    departmentId: null,
    managerId: ids.mia,
  });
  ids.bo = await createUser({ email: "bo@x.example", name: "Bo", departmentId: null });
  const done = await completeQuizCourse(ids.ann);
  expect(done.courseCompleted).toBe(true);
  code = (
    (await one(sql`select code from certificates where user_id = ${ids.ann}`)) as {
      code: string;
    }
  ).code;
});

describe("issuing", () => {
  test("completing a course issues one certificate, with the completion, on the versions completed", async () => {
    const rows = (await all(
      sql`select code, holder_name, course_title, course_version, lesson_versions, completed_at from certificates where user_id = ${ids.ann}`,
    )) as {
      code: string;
      holder_name: string;
      course_title: string;
      course_version: string;
      lesson_versions: string;
      completed_at: string;
    }[];
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.code).toMatch(/^[a-z2-7]{24}$/);
    expect(row).toMatchObject({ holder_name: "Ann Able", course_title: "Safety basics" });
    expect(row.course_version).toMatch(/^[0-9a-f]{12}$/);
    const versions = JSON.parse(row.lesson_versions) as { versionId: number }[];
    expect(versions).toHaveLength(3);
    const current = (
      (await all(
        sql`select l.current_version_id v from lessons l join courses c on c.id = l.course_id where c.slug = 'safety' order by l.position`,
      )) as { v: number }[]
    ).map((r) => r.v);
    expect(versions.map((v) => v.versionId)).toEqual(current);
    const event = (await all(
      sql`select data, created_at from progress_events where user_id = ${ids.ann} and type = 'course_completed'`,
    )) as { data: string; created_at: string }[];
    expect(event).toHaveLength(1);
    expect(JSON.parse(event[0]!.data)).toEqual({ certificate: row.code });
    expect(event[0]!.created_at).toBe(row.completed_at);

    // Doing a lesson again changes nothing.
    await markLessonComplete(ids.ann!, "safety", "welcome");
    expect(await one(sql`select count(*) n from certificates where user_id = ${ids.ann}`)).toEqual({
      n: 1,
    });
  });

  test("codes are random: two people get different codes", async () => {
    const other = await createUser({ email: "cy@x.example", name: "Cy", departmentId: null });
    await completeQuizCourse(other);
    const codes = (await all(
      sql`select code from certificates where user_id in (${ids.ann}, ${other})`,
    )) as { code: string }[];
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
    expect(codes.length).toBe(2);
  });
});

describe("who may see a certificate", () => {
  test("the holder, their manager and a leader see it", async () => {
    for (const key of ["ann", "mia", "lee"]) {
      const page = await certificateFor(await viewer(key), code);
      expect(page).toMatchObject({
        holderName: "Ann Able",
        courseTitle: "Safety basics",
        isHolder: key === "ann",
      });
      expect(page.verifyUrl).toMatch(new RegExp(`/verify/${code}$`));
      expect(page.code.replace(/-/g, "")).toBe(code);
    }
  });

  test("anyone else gets 404, as for a code that does not exist", async () => {
    for (const attempt of [
      async () => certificateFor(await viewer("bo"), code),
      async () => certificateFor(await viewer("ann"), "a".repeat(24)),
      async () => certificateFor(await viewer("ann"), "../../etc"),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).kind).toBe("not_found");
    }
  });

  test("verification shows only validity, name, course and date", async () => {
    const result = await verifyCertificate(code);
    expect(Object.keys(result).sort()).toEqual([
      "completedOn",
      "courseTitle",
      "holderName",
      "valid",
    ]);
    expect(result).toMatchObject({
      valid: true,
      holderName: "Ann Able",
      courseTitle: "Safety basics",
    });
    // As printed: grouped with dashes, any case.
    const printed = code.toUpperCase().replace(/(.{4})(?=.)/g, "$1-");
    expect((await verifyCertificate(printed)).valid).toBe(true);
    expect(await verifyCertificate("b".repeat(24))).toEqual({ valid: false });
    expect(await verifyCertificate("not a code")).toEqual({ valid: false });
  });
});
