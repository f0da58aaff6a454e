/**
 * P5 (write half): "Mark complete" form POSTs to the production server at 50 connections, each
 * for a different person and lesson, on a fresh organisation of 10,000 people. Every answered
 * completion (302) must be in the database afterwards: no lost write.
 */
import { freshOrganisation, FRESH_COURSES_DIR } from "./fresh-org";
import { benchSeconds, figures, load } from "./load";
import { referenceRosterCsv } from "./reference-org";
import { startBenchServer, type BenchServer } from "./server";
import type { SqliteHandles } from "~/utils/db.server";
import type { BenchResult } from "./types";

const LESSONS = ["first", "second"];
const PEOPLE = 5000;

export async function run(): Promise<BenchResult[]> {
  const org = await freshOrganisation("completions");
  const { commandLineActor } = await import("~/models/audit.server");
  const { applyRoster } = await import("~/services/roster-import.server");
  const { createSessionCookie } = await import("~/services/session.server");
  const { closeDatabase, handlesFor } = await import("~/utils/db.server");
  let server: BenchServer | undefined;
  try {
    const { csv } = referenceRosterCsv();
    const applied = await applyRoster(csv, "reference.csv", commandLineActor("bench"));
    if (applied.status !== "applied") throw new Error("The reference roster was not imported.");
    const { sqlite } = handlesFor() as SqliteHandles;
    const people = sqlite
      .prepare("select id from users where title = 'Team Member' order by id limit ?")
      .pluck()
      .all(PEOPLE) as number[];
    const cookies: string[] = [];
    for (const id of people) cookies.push((await createSessionCookie(id)).split(";")[0]!);
    await closeDatabase();

    server = await startBenchServer({
      databasePath: org.location,
      coursesDir: FRESH_COURSES_DIR,
    });
    // Each request takes the next (person, lesson) pair; the answered ones are checked after.
    let next = 0;
    const answered: { person: number; lesson: string }[] = [];
    const sample = await load(
      server.url,
      {
        name: "complete",
        path: "/courses/basics/first",
        connections: 50,
        status: 302,
        requests: [
          {
            method: "POST",
            setupRequest(request, context) {
              const i = next++ % (people.length * LESSONS.length);
              const pair = {
                person: i % people.length,
                lesson: LESSONS[Math.floor(i / people.length)]!,
              };
              context.pair = pair;
              return {
                ...request,
                path: `/courses/basics/${pair.lesson}`,
                headers: {
                  "content-type": "application/x-www-form-urlencoded",
                  origin: server!.url,
                  cookie: cookies[pair.person]!,
                },
                body: "intent=complete",
              };
            },
            onResponse(status, _body, context, headers) {
              // A redirect to the login page is a refusal, not a completion.
              if (status === 302 && !headers.location?.startsWith("/login")) {
                answered.push(context.pair as (typeof answered)[number]);
              }
            },
          },
        ],
      },
      benchSeconds(8),
    );
    if (next > people.length * LESSONS.length) {
      throw new Error("The bench ran out of (person, lesson) pairs: raise PEOPLE.");
    }
    await server.stop();
    server = undefined;

    const completed = new Set(
      (handlesFor() as SqliteHandles).sqlite
        .prepare(
          `select lp.user_id || ' ' || l.slug from lesson_progress lp
             join lessons l on l.id = lp.lesson_id where lp.completed_at is not null`,
        )
        .pluck()
        .all() as string[],
    );
    const lost = answered.filter((a) => !completed.has(`${people[a.person]} ${a.lesson}`)).length;
    const f = figures([sample]);
    return [
      {
        id: "P5",
        name: "completion POSTs, each a new (person, lesson)",
        // Only completions count: a refusal or a redirect to the login page is not one.
        value: answered.length / sample.seconds,
        unit: "req/s",
        budget: 300,
        better: "higher",
        detail: `${answered.length} completions answered, p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms; ${f.requests - answered.length} other answers`,
      },
      {
        id: "P5",
        name: "answered completions missing from the database afterwards",
        value: lost,
        unit: "",
        budget: 0,
      },
    ];
  } finally {
    await server?.stop();
    await org.remove();
  }
}
