import {
  getCourseBySlug,
  getCourseIntro,
  listLessons,
  listPublishedCourses,
} from "~/models/courses.server";
import { latestCertificateCode } from "~/models/certificates.server";
import { assignmentList } from "~/models/reports.server";
import {
  courseProgressForUser,
  courseStatus,
  lessonProgressForCourse,
} from "~/models/progress.server";
import { daysBetween, today } from "~/utils/calendar.server";
import { nowIso } from "~/utils/clock.server";
import { summaryStatus, type ProgressStatus } from "~/utils/progress-status";

const DUE_SOON_DAYS = 7;
const OPEN: readonly ProgressStatus[] = ["overdue", "stale", "in_progress", "not_started"];

/** Overdue first, then what is open by due date, then what is done; unassigned courses last. */
function urgency(row: { assigned: boolean; status: ProgressStatus }) {
  if (!row.assigned) return 3;
  if (row.status === "overdue") return 0;
  return OPEN.includes(row.status) ? 1 : 2;
}

/**
 * The learner home: the courses assigned to this person, most urgent first, with due dates
 * (overdue and due within a week flagged); then other published courses; and the next lesson.
 */
export async function learnerDashboard(userId: number) {
  const now = nowIso();
  const [courses, progress, assigned] = await Promise.all([
    listPublishedCourses(),
    courseProgressForUser(userId),
    assignmentList(now, { userIds: [userId] }),
  ]);
  const byCourse = new Map(progress.map((p) => [p.course_id, p]));
  const byAssignment = new Map(assigned.map((a) => [a.courseSlug, a]));
  const day = today();
  const rows = courses
    .map((course) => {
      const p = byCourse.get(course.id);
      const a = byAssignment.get(course.slug);
      // On time or late matters to the reports; to the learner, done is done.
      const status: ProgressStatus =
        a && a.status !== "completed_on_time" && a.status !== "completed_late"
          ? a.status
          : p?.completed_at
            ? "completed"
            : p
              ? "in_progress"
              : "not_started";
      const dueInDays = a && OPEN.includes(status) ? daysBetween(day, a.dueOn) : null;
      return {
        slug: course.slug,
        title: course.title,
        summary: course.summary,
        lessonCount: course.lessonCount,
        minutes: course.minutes,
        lessonsCompleted: p?.lessons_completed ?? 0,
        status,
        assigned: Boolean(a),
        dueOn: a?.dueOn ?? null,
        /** Days until the due date (negative: overdue) while the course is still to do. */
        dueInDays,
        dueSoon: dueInDays !== null && dueInDays >= 0 && dueInDays <= DUE_SOON_DAYS,
        lastActivityAt: p?.last_activity_at ?? null,
      };
    })
    .sort(
      (x, y) =>
        urgency(x) - urgency(y) ||
        (x.dueOn && y.dueOn ? x.dueOn.localeCompare(y.dueOn) : 0) ||
        courses.findIndex((c) => c.slug === x.slug) - courses.findIndex((c) => c.slug === y.slug),
    );
  const next = rows.find((r) => OPEN.includes(r.status));
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

/**
 * A course page: its introduction, this person's status (with their certificate once completed)
 * and each lesson with its status; `stale` when a completion was re-opened because the lesson
 * changed in what it assesses.
 */
export async function courseOverview(userId: number, courseSlug: string) {
  const course = await getCourseBySlug(courseSlug);
  if (!course) return null;
  const [lessons, progress, intro, summary] = await Promise.all([
    listLessons(course.id),
    lessonProgressForCourse(userId, course.id),
    getCourseIntro(course.id),
    courseStatus(userId, course.id),
  ]);
  const byLesson = new Map(progress.map((p) => [p.lessonId, p]));
  return {
    course: { slug: course.slug, title: course.title, summary: course.summary },
    intro,
    status: summary.status,
    staleSince: summary.staleSince,
    certificateCode:
      summary.status === "completed" ? await latestCertificateCode(userId, course.id) : null,
    lessons: lessons.map((lesson) => {
      const p = byLesson.get(lesson.id);
      return {
        slug: lesson.slug,
        title: lesson.title,
        minutes: lesson.minutes,
        hasQuiz: lesson.hasQuiz,
        status: summaryStatus(p ?? null),
        /** Completed on an earlier version; the changes did not touch what is assessed. */
        updatedSinceCompleted: p?.completedAt != null && p.versionId !== lesson.versionId,
      };
    }),
  };
}
