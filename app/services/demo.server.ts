import type { QuizIsland } from "~/components/mdx/islands";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { departmentIdFor } from "~/models/departments.server";
import {
  getAnswerKey,
  getLessonPage,
  listLessons,
  listPublishedCourses,
  type LessonPage,
} from "~/models/courses.server";
import type { LessonRef } from "~/models/progress.server";
import { acknowledgeStatement, submitQuiz } from "~/services/lessons.server";
import { completeLesson, recordLessonOpened } from "~/services/progress.server";
import { countUsers, createUser } from "~/models/users.server";
import { listRules, type RuleInput } from "~/models/assignments.server";
import { assignmentList } from "~/models/reports.server";
import { createRule, recomputeAssignments, removeRule } from "~/services/assignments.server";
import { getSchedule, saveSchedule } from "~/services/reminder-settings.server";
import { advanceClock, now, nowIso } from "~/utils/clock.server";
import { hashPassword } from "~/utils/password.server";
import { mulberry32 } from "~/utils/random";

export const DEMO_PASSWORD = "knitwear-demo-2026";
export const DEMO_DOMAIN = "harbour.example";
export const DEMO_ORG_NAME = "Harbour Knitwear";

export const DEMO_LOGINS = [
  { role: "Administrator", email: `sam.patel@${DEMO_DOMAIN}` },
  { role: "Leader (managing director)", email: `margaret.okafor@${DEMO_DOMAIN}` },
  { role: "Manager, two levels of reports", email: `priya.shah@${DEMO_DOMAIN}` },
  { role: "Manager, one team", email: `owen.price@${DEMO_DOMAIN}` },
  { role: "Learner, nothing done yet", email: `jamie.fox@${DEMO_DOMAIN}` },
];

interface SeedPerson {
  name: string;
  title: string;
  department: string;
  manager?: string;
  admin?: boolean;
  leader?: boolean;
  /** Fraction of the curriculum this person has done, before randomness. */
  diligence: number;
  /** Days before the seed that this person joined; unset: long-standing staff. */
  hiredDaysAgo?: number;
}

const SALES = "Sales & Service";
const OPS = "Operations";
const OFFICE = "Finance & Office";

const LEADS: SeedPerson[] = [
  {
    name: "Margaret Okafor",
    title: "Managing Director",
    department: OFFICE,
    leader: true,
    diligence: 0.2,
  },
  {
    name: "Priya Shah",
    title: "Head of Sales & Service",
    department: SALES,
    manager: "Margaret Okafor",
    diligence: 0.5,
  },
  {
    name: "Tom Becker",
    title: "Head of Operations",
    department: OPS,
    manager: "Margaret Okafor",
    diligence: 0.1,
  },
  {
    name: "Lena Novak",
    title: "Finance Manager",
    department: OFFICE,
    manager: "Margaret Okafor",
    diligence: 0.7,
  },
  {
    name: "Sam Patel",
    title: "Office & Systems Administrator",
    department: OFFICE,
    manager: "Lena Novak",
    admin: true,
    diligence: 1,
  },
  {
    name: "Owen Price",
    title: "Shop Manager",
    department: SALES,
    manager: "Priya Shah",
    diligence: 0.6,
  },
  {
    name: "Aisha Khan",
    title: "Customer Service Lead",
    department: SALES,
    manager: "Priya Shah",
    diligence: 0.9,
  },
  {
    name: "Dan Murphy",
    title: "Warehouse Supervisor",
    department: OPS,
    manager: "Tom Becker",
    diligence: 0.3,
  },
  {
    name: "Grace Liu",
    title: "Production Supervisor",
    department: OPS,
    manager: "Tom Becker",
    diligence: 0.4,
  },
];

const FIRST = [
  "Alex",
  "Bea",
  "Chris",
  "Dana",
  "Eli",
  "Fran",
  "Gus",
  "Hana",
  "Ivan",
  "Jo",
  "Kit",
  "Lou",
  "Mo",
  "Nia",
  "Oli",
  "Pat",
  "Quinn",
  "Rosa",
  "Sol",
  "Tara",
  "Uma",
  "Vic",
  "Wes",
  "Yara",
  "Zoe",
  "Ben",
  "Cleo",
  "Drew",
  "Erin",
  "Finn",
];
const LAST = [
  "Adams",
  "Baker",
  "Clarke",
  "Davies",
  "Evans",
  "Foster",
  "Green",
  "Hughes",
  "Irwin",
  "Jones",
  "Kerr",
  "Lewis",
  "Moore",
  "Nash",
  "Owens",
  "Parry",
  "Quinn",
  "Reid",
  "Shaw",
  "Turner",
  "Upton",
  "Vance",
  "Walsh",
  "Young",
  "Zhou",
  "Bell",
  "Cole",
  "Dunn",
  "Ellis",
  "Frost",
];

const TEAMS: {
  manager: string;
  department: string;
  titles: string[];
  size: number;
  /** A recently hired team: their courses fall due later. */
  hiredDaysAgo?: number;
}[] = [
  {
    manager: "Owen Price",
    department: SALES,
    titles: ["Sales Assistant", "Shop Floor Lead"],
    size: 7,
    hiredDaysAgo: 25,
  },
  {
    manager: "Aisha Khan",
    department: SALES,
    titles: ["Customer Service Adviser", "Online Orders Coordinator"],
    size: 6,
    hiredDaysAgo: 40,
  },
  {
    manager: "Dan Murphy",
    department: OPS,
    titles: ["Warehouse Operative", "Dispatch Coordinator"],
    size: 7,
  },
  { manager: "Grace Liu", department: OPS, titles: ["Machinist", "Quality Checker"], size: 7 },
  { manager: "Lena Novak", department: OFFICE, titles: ["Accounts Assistant"], size: 3 },
];

function roster(): SeedPerson[] {
  const random = mulberry32(2026);
  const people = [
    ...LEADS,
    {
      name: "Jamie Fox",
      title: "Sales Assistant",
      department: SALES,
      manager: "Owen Price",
      diligence: 0,
      hiredDaysAgo: 25,
    },
  ];
  let n = 0;
  for (const team of TEAMS) {
    for (let i = 0; i < team.size; i++, n++) {
      people.push({
        name: `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`,
        title: team.titles[i % team.titles.length]!,
        department: team.department,
        manager: team.manager,
        // The first of them (Alex Adams) has done nothing yet: a browser test takes a whole
        // course as Alex. Drawing first keeps everyone else's progress as it was.
        diligence: ((d) => (n === 0 ? 0 : d))(random()),
        hiredDaysAgo: team.hiredDaysAgo,
      });
    }
  }
  return people;
}

export const emailFor = (name: string) =>
  `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@${DEMO_DOMAIN}`;

export class DemoRefused extends Error {}

/**
 * The role paths of courses/README.md ("Role paths"), as assignment rules. Courses that are not
 * in COURSES_DIR are left out.
 */
const ROLE_PATHS: (Pick<RuleInput, "audience" | "dueDays" | "recurMonths"> & {
  courses: string[];
  department?: string;
  role?: "leader";
  people?: string[];
})[] = [
  { courses: ["welcome"], audience: "everyone", dueDays: 7, recurMonths: null },
  { courses: ["e-commerce-is-business"], audience: "everyone", dueDays: 30, recurMonths: null },
  { courses: ["protecting-customer-data"], audience: "everyone", dueDays: 30, recurMonths: 12 },
  {
    courses: ["running-the-online-channel", "everyone-learns"],
    audience: "everyone",
    dueDays: 60,
    recurMonths: null,
  },
  {
    courses: ["online-customer-service", "product-listings-that-sell", "running-the-web-shop"],
    audience: "department",
    department: SALES,
    dueDays: 60,
    recurMonths: null,
  },
  {
    courses: ["order-fulfilment-and-returns", "product-listings-that-sell"],
    audience: "department",
    department: OPS,
    dueDays: 60,
    recurMonths: null,
  },
  {
    courses: ["online-customer-service"],
    audience: "department",
    department: OFFICE,
    dueDays: 90,
    recurMonths: null,
  },
  {
    courses: ["leading-the-online-business"],
    audience: "managers",
    dueDays: 60,
    recurMonths: null,
  },
  {
    courses: ["leading-the-online-business"],
    audience: "role",
    role: "leader",
    dueDays: 30,
    recurMonths: null,
  },
  {
    courses: ["running-the-web-shop"],
    audience: "people",
    people: ["Sam Patel"],
    dueDays: 30,
    recurMonths: null,
  },
];

/** Replaces the fresh database's default rule with the role paths. */
async function followRolePaths(courses: { id: number; slug: string }[], ids: Map<string, number>) {
  for (const rule of await listRules()) await removeRule(SYSTEM_ACTOR, rule.id);
  for (const path of ROLE_PATHS) {
    for (const slug of path.courses) {
      const course = courses.find((c) => c.slug === slug);
      if (!course) continue;
      await createRule(SYSTEM_ACTOR, {
        courseId: course.id,
        audience: path.audience,
        departmentId: path.department ? await departmentIdFor(path.department) : null,
        role: path.role ?? null,
        personIds: (path.people ?? []).map((name) => ids.get(name)!),
        dueDays: path.dueDays,
        recurMonths: path.recurMonths,
      });
    }
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DEMO_ATTEMPTS = 4;

interface DemoLesson {
  ref: LessonRef;
  page: LessonPage;
}

/**
 * How hard each question is, drawn once per question: most are ordinary (the stronger the
 * learner, the likelier right), about one in seven nearly everyone gets right, and about one in
 * twenty is a trap that strong learners overthink, so the question statistics have something to
 * show.
 */
function questionProfile(random: () => number) {
  const roll = random();
  if (roll < 0.15) return { kind: "easy" as const, difficulty: 0 };
  if (roll < 0.2) return { kind: "trap" as const, difficulty: 0 };
  return { kind: "ordinary" as const, difficulty: 0.25 + 0.6 * random() };
}

type Profile = ReturnType<typeof questionProfile>;

function chanceRight(profile: Profile, ability: number): number {
  if (profile.kind === "easy") return 0.98;
  if (profile.kind === "trap") return 0.85 - 0.6 * ability;
  return 1 / (1 + Math.exp(-5 * (ability - profile.difficulty)));
}

/** One attempt's answers: right with the question's chance, else a plausible wrong choice. */
function answersFor(
  quiz: QuizIsland,
  correct: Record<string, string[]>,
  profiles: Map<string, Profile>,
  ability: number,
  random: () => number,
): Record<string, string[]> {
  const answers: Record<string, string[]> = {};
  for (const question of quiz.questions) {
    const right = correct[question.id] ?? [];
    const wrong = question.choices.map((c) => c.id).filter((id) => !right.includes(id));
    const profile = profiles.get(question.id)!;
    if (random() < chanceRight(profile, ability) || wrong.length === 0) {
      answers[question.id] = right;
    } else if (question.multiple) {
      // A partial answer: one right choice missed, or one wrong one added.
      answers[question.id] =
        random() < 0.5 ? right.slice(1) : [...right, wrong[Math.floor(random() * wrong.length)]!];
    } else {
      // The first wrong choice is the most tempting.
      const pick = random() < 0.6 ? 0 : Math.floor(random() * wrong.length);
      answers[question.id] = [wrong[pick]!];
    }
  }
  return answers;
}

/**
 * Completes a lesson the way a learner does: attempts at each quiz until a pass (learning a
 * little from each), statements confirmed, or "Mark complete".
 */
async function learnLesson(
  userId: number,
  lesson: DemoLesson,
  ability: number,
  random: () => number,
  profiles: Map<string, Profile>,
) {
  const { page } = lesson;
  const quizzes = page.rendered.islands.filter((i): i is QuizIsland => i.kind === "quiz");
  const key = quizzes.length > 0 ? await getAnswerKey(page.versionId) : undefined;
  for (const quiz of quizzes) {
    const correct = Object.fromEntries(
      Object.entries(key?.[quiz.id]?.questions ?? {}).map(([q, v]) => [q, v.correct]),
    );
    for (const question of quiz.questions) {
      const id = `${page.versionId}/${quiz.id}/${question.id}`;
      if (!profiles.has(id)) profiles.set(id, questionProfile(random));
    }
    const ofThisQuiz = new Map(
      quiz.questions.map((q) => [q.id, profiles.get(`${page.versionId}/${quiz.id}/${q.id}`)!]),
    );
    for (let attempt = 1; attempt <= MAX_DEMO_ATTEMPTS; attempt++) {
      // The last attempt is all right: by then they have read the parts they got wrong.
      const answers =
        attempt === MAX_DEMO_ATTEMPTS
          ? correct
          : answersFor(
              quiz,
              correct,
              ofThisQuiz,
              Math.min(1, ability + 0.15 * (attempt - 1)),
              random,
            );
      const result = await submitQuiz(userId, page.course.slug, page.lesson.slug, {
        quizId: quiz.id,
        versionId: page.versionId,
        answers,
      });
      if (result.passed) break;
    }
  }
  for (const island of page.rendered.islands) {
    if (island.kind !== "acknowledge") continue;
    await acknowledgeStatement(userId, page.course.slug, page.lesson.slug, {
      islandId: island.id,
      versionId: page.versionId,
    });
  }
  // Lessons with neither are marked complete; for the others this changes nothing.
  await completeLesson(userId, lesson.ref);
}

/** The organisation's rules were set up this many days before the seed. */
const RULES_DAYS_AGO = 60;

/**
 * Seeds the demo organisation with varied progress over the last two months, so that the reports
 * show every status: the rules date from 60 days ago (due in 30), two Sales teams joined more
 * recently (due later, some soon), people finished on time, late or not at all, and one annual
 * refresher has come round again. Deterministic, relative to today. Refuses a database that
 * already has people.
 */
export async function seedDemo(): Promise<{ people: number; completions: number }> {
  const existing = await countUsers();
  if (existing > 0) {
    throw new DemoRefused(
      `The database already has ${existing} people, so the demo was not seeded over it.`,
    );
  }
  // Paused: nobody is mailed until someone has looked at the dry run and switched sending on.
  await saveSchedule(SYSTEM_ACTOR, {
    ...(await getSchedule()),
    orgName: DEMO_ORG_NAME,
    automatic: false,
  });
  let shiftMs = 0;
  const daysAgo = (days: number) => {
    advanceClock(-days * DAY_MS - shiftMs);
    shiftMs = -days * DAY_MS;
  };
  try {
    return await seedAt(daysAgo);
  } finally {
    advanceClock(-shiftMs);
    await recomputeAssignments();
  }
}

async function seedAt(daysAgo: (days: number) => void) {
  const random = mulberry32(7);
  // Quiz answers draw from their own sequence, so that who did what stays as it always was.
  const answering = mulberry32(12);
  const profiles = new Map<string, Profile>();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const ids = new Map<string, number>();
  const people = roster();
  const today = now().getTime();
  const hiredOn = (days?: number) =>
    days === undefined ? "2024-03-01" : new Date(today - days * DAY_MS).toISOString().slice(0, 10);

  daysAgo(RULES_DAYS_AGO);
  for (const person of people) {
    ids.set(
      person.name,
      await createUser({
        email: emailFor(person.name),
        name: person.name,
        departmentId: await departmentIdFor(person.department),
        title: person.title,
        managerId: person.manager ? ids.get(person.manager)! : null,
        isAdmin: person.admin,
        isLeader: person.leader,
        hiredOn: hiredOn(person.hiredDaysAgo),
        passwordHash,
      }),
    );
  }
  const courses = await listPublishedCourses();
  const lessonsOf = new Map<number, DemoLesson[]>();
  for (const course of courses) {
    const lessons: DemoLesson[] = [];
    for (const lesson of await listLessons(course.id)) {
      const page = await getLessonPage(course.slug, lesson.slug);
      if (page) {
        lessons.push({
          ref: { courseId: course.id, lessonId: lesson.id, versionId: page.versionId },
          page,
        });
      }
    }
    lessonsOf.set(course.id, lessons);
  }
  await followRolePaths(courses, ids);
  // The administrator took the data course 400 days ago: today a second cycle is due (it is a
  // yearly refresher), and the first is kept.
  const refresher = courses.find((c) => c.slug === "protecting-customer-data");
  if (refresher) {
    daysAgo(400);
    for (const { ref } of lessonsOf.get(refresher.id) ?? []) {
      await completeLesson(ids.get("Sam Patel")!, ref);
    }
  }

  let completions = 0;
  for (const person of people) {
    const userId = ids.get(person.name)!;
    const assigned = new Set(
      (await assignmentList(nowIso(), { userIds: [userId] })).map((a) => a.courseSlug),
    );
    // Active since they were hired (or since the rules came in), until yesterday.
    const window = Math.min(RULES_DAYS_AGO - 2, (person.hiredDaysAgo ?? RULES_DAYS_AGO) - 1);
    for (const course of courses.filter((c) => assigned.has(c.slug))) {
      const lessons = lessonsOf.get(course.id) ?? [];
      // The diligent finish most courses; everyone else gets part-way, or nowhere.
      const share =
        random() < person.diligence ? 1 : Math.min(1, person.diligence * 1.4 * random());
      const done = person.diligence === 0 ? 0 : Math.round(share * lessons.length);
      // The diligent got on with it early; others later (or not at all).
      const started = 1 + Math.floor((0.5 * random() + 0.5 * person.diligence) * window);
      daysAgo(started);
      const ability = Math.min(1, 0.2 + 0.5 * person.diligence + 0.35 * answering());
      for (const [index, lesson] of lessons.entries()) {
        if (index > done) break;
        if (index === done) {
          if (done > 0) await recordLessonOpened(userId, lesson.ref);
          break;
        }
        await learnLesson(userId, lesson, ability, answering, profiles);
        completions++;
      }
    }
  }
  return { people: people.length, completions };
}
