import {
  getCourseBySlug,
  getCourseIntro,
  listLessons,
  listPublishedCourses,
} from "~/models/courses.server";
import { courseProgressForUser, lessonProgressForCourse } from "~/models/progress.server";
import type { ProgressStatus } from "~/utils/progress-status";

const statusOf = (
  p: { started_at: string; completed_at: string | null } | undefined,
): ProgressStatus => (p?.completed_at ? "completed" : p ? "in_progress" : "not_started");

/** The learner home: every course with this person's progress, and the next lesson to take. */
export async function learnerDashboard(userId: number) {
  const [courses, progress] = await Promise.all([
    listPublishedCourses(),
    courseProgressForUser(userId),
  ]);
  const byCourse = new Map(progress.map((p) => [p.course_id, p]));
  const rows = courses.map((course) => {
    const p = byCourse.get(course.id);
    return {
      slug: course.slug,
      title: course.title,
      summary: course.summary,
      lessonCount: course.lessonCount,
      minutes: course.minutes,
      lessonsCompleted: p?.lessons_completed ?? 0,
      status: statusOf(p),
      lastActivityAt: p?.last_activity_at ?? null,
    };
  });
  const next =
    rows.find((r) => r.status === "in_progress") ?? rows.find((r) => r.status === "not_started");
  return { courses: rows, nextCourse: next ? await nextLessonIn(userId, next.slug) : null };
}

async function nextLessonIn(userId: number, courseSlug: string) {
  const overview = await courseOverview(userId, courseSlug);
  if (!overview) return null;
  const lesson = overview.lessons.find((l) => l.status !== "completed");
  return lesson
    ? {
        courseSlug,
        courseTitle: overview.course.title,
        lessonSlug: lesson.slug,
        lessonTitle: lesson.title,
      }
    : null;
}

/** A course page: its introduction and each lesson with this person's status. */
export async function courseOverview(userId: number, courseSlug: string) {
  const course = await getCourseBySlug(courseSlug);
  if (!course) return null;
  const [lessons, progress, intro] = await Promise.all([
    listLessons(course.id),
    lessonProgressForCourse(userId, course.id),
    getCourseIntro(course.id),
  ]);
  const byLesson = new Map(progress.map((p) => [p.lesson_id, p]));
  return {
    course: { slug: course.slug, title: course.title, summary: course.summary },
    intro,
    lessons: lessons.map((lesson) => ({
      slug: lesson.slug,
      title: lesson.title,
      minutes: lesson.minutes,
      hasQuiz: lesson.hasQuiz,
      status: statusOf(byLesson.get(lesson.id)),
    })),
  };
}
