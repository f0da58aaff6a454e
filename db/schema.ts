import type { Generated, Insertable, Selectable } from "kysely";

export type UserStatus = "active" | "deactivated";

export interface DepartmentsTable {
  id: Generated<number>;
  name: string;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  department_id: number | null;
  title: string;
  manager_id: number | null;
  is_admin: number;
  is_leader: number;
  hired_on: string | null;
  status: UserStatus;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  expires_at: number;
  created_at: number;
}

export interface OneTimeTokensTable {
  token_hash: string;
  purpose: "first-admin" | "invite" | "reset";
  user_id: number | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface CompiledMdxTable {
  content_hash: string;
  html_segments: string;
  islands: string;
  answer_key: string;
  assessed_hash: string;
  created_at: string;
}

export interface CoursesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  summary: string;
  sort_order: number;
  intro_hash: string;
  status: "published" | "archived";
  updated_at: string;
}

export interface LessonsTable {
  id: Generated<number>;
  course_id: number;
  slug: string;
  title: string;
  minutes: number;
  position: number;
  current_version_id: number | null;
  /** Quiz attempt limit (frontmatter `attempts`); null = unlimited. */
  max_attempts: number | null;
  /** Completions on a version with a smaller id than this are stale. */
  valid_from_version_id: number | null;
  status: "published" | "archived";
}

export interface LessonVersionsTable {
  id: Generated<number>;
  lesson_id: number;
  content_hash: string;
  source: string;
  has_quiz: number;
  /** 1 when this version was published with `retake: required`. */
  retake_required: Generated<number>;
  published_at: string;
  published_by: number | null;
}

export type ProgressEventType =
  | "started"
  | "lesson_completed"
  | "quiz_attempted"
  | "quiz_passed"
  | "acknowledged"
  | "course_completed"
  | "reopened"
  | "waived";

export interface ProgressEventsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  lesson_id: number | null;
  version_id: number | null;
  type: ProgressEventType;
  data: string;
  created_at: string;
}

export interface LessonProgressTable {
  user_id: number;
  lesson_id: number;
  course_id: number;
  version_id: number | null;
  started_at: string;
  completed_at: string | null;
  /** Set when an earlier completion was re-opened because what the lesson assesses changed. */
  stale_since: string | null;
}

export interface CourseProgressTable {
  user_id: number;
  course_id: number;
  lessons_completed: number;
  started_at: string;
  completed_at: string | null;
  last_activity_at: string;
  /** Set while a re-opened course (stale content) has not been completed again. */
  stale_since: string | null;
}

export interface QuizAttemptsTable {
  id: Generated<number>;
  user_id: number;
  lesson_id: number;
  version_id: number;
  answers: string;
  score: number;
  passed: number;
  created_at: string;
}

export interface Database {
  departments: DepartmentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  compiled_mdx: CompiledMdxTable;
  courses: CoursesTable;
  lessons: LessonsTable;
  lesson_versions: LessonVersionsTable;
  progress_events: ProgressEventsTable;
  lesson_progress: LessonProgressTable;
  course_progress: CourseProgressTable;
  quiz_attempts: QuizAttemptsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Course = Selectable<CoursesTable>;
export type Lesson = Selectable<LessonsTable>;
