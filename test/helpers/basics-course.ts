import { SYSTEM_ACTOR } from "~/models/audit.server";
import { getLessonPage, listLessons, listPublishedCourses } from "~/models/courses.server";
import type { LessonRef } from "~/models/progress.server";
import { changeRule } from "~/services/assignments.server";
import { syncCourses } from "~/services/courses.server";
import { completeLesson } from "~/services/progress.server";

/**
 * The integration fixture courses with one rule: "basics" for everyone, due in 30 days, so that
 * every report figure is one assignment a person. Returns its lessons and a way to finish it.
 */
export async function basicsForEveryone() {
  const synced = await syncCourses("test/fixtures/courses-integration");
  if (synced.errors.length > 0) throw new Error(synced.errors[0]!.message);
  const basics = (await listPublishedCourses()).find((c) => c.slug === "basics")!;
  await changeRule(SYSTEM_ACTOR, 1, {
    courseId: basics.id,
    audience: "everyone",
    departmentId: null,
    role: null,
    personIds: [],
    dueDays: 30,
    recurMonths: null,
  });
  const refs: LessonRef[] = await Promise.all(
    (await listLessons(basics.id)).map(async (l) => ({
      courseId: basics.id,
      lessonId: l.id,
      versionId: (await getLessonPage("basics", l.slug))!.versionId,
    })),
  );
  return {
    refs,
    finish: async (userId: number) => {
      for (const ref of refs) await completeLesson(userId, ref);
    },
  };
}
