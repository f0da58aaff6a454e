import type { Generated, GeneratedAlways, Insertable, Selectable } from "kysely";

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

/** A source whose compile failed, keyed like compiled_mdx; `errors` is JSON [{line, column, message}]. */
export interface CompileFailuresTable {
  content_hash: string;
  errors: string;
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
  /** The quiz of the lesson this attempt answered; null for attempts stored before 0010. */
  quiz_id: string | null;
  answers: string;
  score: number;
  passed: number;
  created_at: string;
}

export interface AcknowledgementsTable {
  id: Generated<number>;
  user_id: number;
  lesson_id: number;
  version_id: number;
  /** The Acknowledge island in that version (`ack-1`, …). */
  island_id: string;
  /** The exact statement the person confirmed, as plain text. */
  statement_text: string;
  created_at: string;
}

export interface CertificatesTable {
  id: Generated<number>;
  /** Random, unguessable; the certificate and verification URLs carry it. */
  code: string;
  user_id: number;
  course_id: number;
  /** Snapshots at completion time. */
  holder_name: string;
  course_title: string;
  /** Short hash of the lesson versions completed. */
  course_version: string;
  /** JSON: [{ lessonId, versionId }] in course order. */
  lesson_versions: string;
  completed_at: string;
}

export type AssignmentAudience = "everyone" | "department" | "role" | "managers" | "people";
export type AssignmentRole = "admin" | "leader";

export interface AssignmentRulesTable {
  id: Generated<number>;
  /** null: every published course. */
  course_id: number | null;
  audience: AssignmentAudience;
  department_id: number | null;
  role: AssignmentRole | null;
  due_days: number;
  recur_months: number | null;
  created_at: string;
  updated_at: string;
}

export interface AssignmentRulePeopleTable {
  rule_id: number;
  user_id: number;
}

export interface AssignmentsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  cycle: number;
  /** 1 for the latest cycle of this person and course. */
  is_current: number;
  assigned_on: string;
  /** The later of assigned_on and (first cycle) hired_on: the due period counts from here. */
  basis_on: string;
  due_days: number;
  due_on: string;
  /** First instant after the due date: completions before it are on time. */
  due_before: string;
  cycle_started_at: string | null;
  removed_at: string | null;
  waived_at: string | null;
  waived_reason: string | null;
  waived_by: number | null;
  /** Copies of the person's department and status (kept by triggers). */
  department_id: number | null;
  user_active: Generated<number>;
  /** Copies of course_progress while current; an earlier cycle keeps its completion. */
  completed_at: string | null;
  last_activity_at: string | null;
  lessons_completed: Generated<number>;
  stale_since: string | null;
  /** Generated: the status apart from the clock (no "overdue"). */
  state: GeneratedAlways<
    "waived" | "completed_on_time" | "completed_late" | "stale" | "in_progress" | "not_started"
  >;
  /** Generated: 1 while neither completed nor waived. */
  open: GeneratedAlways<number>;
}

/** Append-only. Actor and subject are snapshots (id and email at the time). */
export interface AuditLogTable {
  id: Generated<number>;
  created_at: string;
  actor_id: number | null;
  actor: string;
  action: string;
  subject_id: number | null;
  subject: string | null;
  /** JSON of the changed fields before and after. */
  before: string | null;
  after: string | null;
}

/** Mail that was not sent through SMTP. */
export interface OutboxTable {
  id: Generated<number>;
  created_at: string;
  recipient: string;
  subject: string;
  body: string;
  delivery_error: string | null;
}

/** A validated roster file between its preview and its application. */
export interface RosterUploadsTable {
  id: Generated<number>;
  uploaded_by: number;
  file_name: string;
  content: string;
  created_at: string;
}

/** When a periodic job last started, and where: it runs once across every process. */
export interface JobRunsTable {
  name: string;
  holder: string;
  started_at: string;
}

/** One row, written by /healthz to know that writes still work. */
export interface HealthProbeTable {
  id: number;
  checked_at: string;
}

/** Values the database must remember (e.g. the time zone its due instants use). */
export interface SettingsTable {
  key: string;
  value: string;
}

/** Failed-login counters per hashed (scope, account, address) key; times in epoch milliseconds. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  blocked_until: number;
  expires_at: number;
}

/** Holds the person being erased, only inside the erasing transaction. */
export interface ErasureInProgressTable {
  user_id: number;
}

export type ReminderChannel = "learner" | "team" | "organisation";
export type ReminderKind =
  "before_due" | "due_today" | "overdue" | "nudge" | "escalation" | "digest" | "leader_summary";
export type DigestFrequency = "weekly" | "fortnightly" | "off";

/** One email of the reminders (migration 0009): at most one per recipient, channel and day. */
export interface ReminderMessagesTable {
  id: Generated<number>;
  recipient_id: number;
  channel: ReminderChannel;
  day: string;
  kind: ReminderKind;
  nudged_by: number | null;
  subject: string;
  /** JSON of the letter; its text and HTML are rendered from it. */
  letter: string;
  unsubscribe_list: "digest" | "leader_summary" | null;
  status: "sending" | "sent" | "retrying" | "failed";
  delivered_via: "smtp" | "outbox" | null;
  attempts: Generated<number>;
  lease_until: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** What a message covered: unique per person, assignment, kind and step. */
export interface ReminderItemsTable {
  id: Generated<number>;
  message_id: number | null;
  person_id: number;
  assignment_id: number | null;
  kind: ReminderKind;
  step: string;
  created_at: string;
}

/** A person's own choices; without a row the organisation's defaults apply. */
export interface MailPreferencesTable {
  user_id: number;
  digest: DigestFrequency;
  leader_summary: number;
  updated_at: string;
}

/** A course created in the browser and not published yet (nothing on disk until then). */
export interface CourseDraftsTable {
  slug: string;
  title: string;
  summary: string;
  sort_order: number;
  created_by: number | null;
  created_at: string;
}

/** An edit of a lesson in the browser that is not published yet (one per lesson). */
export interface LessonDraftsTable {
  id: Generated<number>;
  course_slug: string;
  lesson_slug: string;
  source: string;
  /** The published version the draft started from; null for a lesson not published yet. */
  base_version_id: number | null;
  /** Counts saves: a save or publish names the revision it started from. */
  revision: number;
  updated_by: number | null;
  updated_at: string;
}

export interface Database {
  departments: DepartmentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  compiled_mdx: CompiledMdxTable;
  compile_failures: CompileFailuresTable;
  courses: CoursesTable;
  lessons: LessonsTable;
  lesson_versions: LessonVersionsTable;
  progress_events: ProgressEventsTable;
  lesson_progress: LessonProgressTable;
  course_progress: CourseProgressTable;
  quiz_attempts: QuizAttemptsTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  roster_uploads: RosterUploadsTable;
  assignment_rules: AssignmentRulesTable;
  assignment_rule_people: AssignmentRulePeopleTable;
  assignments: AssignmentsTable;
  acknowledgements: AcknowledgementsTable;
  certificates: CertificatesTable;
  job_runs: JobRunsTable;
  health_probe: HealthProbeTable;
  settings: SettingsTable;
  login_throttle: LoginThrottleTable;
  erasure_in_progress: ErasureInProgressTable;
  reminder_messages: ReminderMessagesTable;
  reminder_items: ReminderItemsTable;
  mail_preferences: MailPreferencesTable;
  course_drafts: CourseDraftsTable;
  lesson_drafts: LessonDraftsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Course = Selectable<CoursesTable>;
export type Lesson = Selectable<LessonsTable>;
