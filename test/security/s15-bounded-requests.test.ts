import { sql } from "kysely";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { issueSetPasswordLink } from "~/services/invitations.server";
import { csvOf } from "../fixtures/roster/roster-csv";
import { all, migratedDatabase, one } from "../helpers/db";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// S15: every request body is bounded before it is read (413), content types the forms never send
// are refused (415/400, never 500), and every stored submission is bounded.

let server: RunningServer;
let setPasswordPath: string;

beforeAll(async () => {
  await migratedDatabase();
  const ids = await seedPeople(
    [
      { key: "ada", name: "Ada Admin", admin: true },
      { key: "ann", name: "Ann Able" },
      { key: "ivy", name: "Ivy Invited" },
    ],
    "bounds.example",
  );
  const link = await issueSetPasswordLink({ id: null, label: "test" }, ids.get("ivy")!);
  setPasswordPath = new URL(link.url).pathname;
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-quiz" });
});

afterAll(async () => {
  await server?.stop();
});

const as = (key: string) => loggedIn(server.url, key, "bounds.example");

/** Everything a refused request could have written. */
const stored = () =>
  one(sql`select (select count(*) from quiz_attempts) attempts,
        (select count(*) from progress_events) events,
        (select count(*) from sessions) sessions,
        (select count(*) from roster_uploads) uploads,
        (select count(*) from one_time_tokens where used_at is null) links`);

interface Upload {
  status: number;
  body: string;
  /** Bytes of the body written before the answer came. */
  sentBeforeAnswer: number;
  headers: http.IncomingHttpHeaders;
}

/**
 * Sends `total` bytes of form body in 64 KB chunks (chunked when `declare` is false), watching for
 * the answer between chunks. Resolves with the answer and how much had been sent by then.
 */
function slowUpload(path: string, total: number, declare: boolean, cookie = "") {
  return new Promise<Upload>((resolve, reject) => {
    let sent = 0;
    let answered: Upload | undefined;
    const req = http.request(`${server.url}${path}`, {
      method: "POST",
      agent: false,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: server.url,
        ...(cookie && { Cookie: cookie }),
        ...(declare ? { "Content-Length": total } : { "Transfer-Encoding": "chunked" }),
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        answered = {
          status: res.statusCode!,
          body,
          sentBeforeAnswer: sent,
          headers: res.headers,
        };
        req.destroy();
        resolve(answered);
      });
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      if (answered || sent >= total) return;
      sent += chunk.length;
      req.write(chunk, () => setTimeout(pump, 5));
    };
    pump();
  });
}

describe("S15 bodies are bounded before they are read", () => {
  test("S15 finding: a 20 MB form POST to /login is refused with 413 before it is read, and /healthz answers meanwhile", async () => {
    const upload = slowUpload("/login", 20 * 1024 * 1024, true);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const answer = await upload;
    expect(answer.status).toBe(413);
    expect(answer.body).toBe(
      "This form is too large: Staffroom accepts at most 64 KB. Nothing was changed.",
    );
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.sentBeforeAnswer).toBeLessThan(2 * 1024 * 1024);
  });

  test("S15 a chunked body without a length is cut off once it passes the limit", async () => {
    const before = await stored();
    const answer = await slowUpload("/login", 20 * 1024 * 1024, false);
    expect(answer.status).toBe(413);
    expect(answer.sentBeforeAnswer).toBeLessThan(2 * 1024 * 1024);
    expect(await stored()).toEqual(before);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("S15 the roster upload takes its documented 10 MB, and no more", async () => {
    const ada = await as("ada");
    const before = await stored();
    const answer = await slowUpload("/admin/import", 12 * 1024 * 1024, true, ada.cookie);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("the limit is 10 MB");
    expect(await stored()).toEqual(before);
  });

  test("S15 the lesson editor takes a lesson's worth of text and an image upload 5 MB, from admins only", async () => {
    const ada = await as("ada");
    const ann = await as("ann");
    const editor = "/admin/courses/safety/check/edit";
    const lesson = await slowUpload(editor, 300 * 1024, true, ada.cookie);
    expect(lesson.status).toBe(400); // read whole, then refused as a form without its fields
    const tooLong = await slowUpload(editor, 700 * 1024, true, ada.cookie);
    expect(tooLong.status).toBe(413);
    expect(tooLong.body).toContain("the limit is 200 KB of text");
    expect((await slowUpload(editor, 300 * 1024, true, ann.cookie)).body).toContain(
      "at most 64 KB",
    );
    const image = await slowUpload(
      "/admin/course-images/safety",
      6 * 1024 * 1024,
      true,
      ada.cookie,
    );
    expect(image.status).toBe(413);
    expect(image.body).toContain("an image (the limit is 5 MB)");
  });

  test("S15 only a signed-in admin may send a file's worth: anyone else gets the form limit", async () => {
    const ann = await as("ann");
    for (const cookie of ["", ann.cookie]) {
      const answer = await slowUpload("/admin/import", 1024 * 1024, false, cookie);
      expect(answer.status).toBe(413);
      expect(answer.body).toContain("at most 64 KB");
      expect(answer.sentBeforeAnswer).toBeLessThan(1024 * 1024);
    }
  });
});

describe("S15 content types the forms never send get 415 or 400, never 500", () => {
  const bodies = [
    ["application/json", '{"email":"a@b.c","password":"x"}'],
    ["text/plain", "email=a@b.c&password=x"],
    ["", "email=a@b.c&password=x"],
    ["multipart/form-data", "--x\r\n"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    ],
  ] as const;

  test.each(bodies)(
    "S15 finding: %j on /login, /set-password and a lesson action",
    async (type, body) => {
      const ann = await as("ann");
      const before = await stored();
      for (const path of [
        "/login",
        setPasswordPath,
        "/courses/safety/check",
        "/courses/safety/check.data",
      ]) {
        const res = await fetch(`${server.url}${path}`, {
          method: "POST",
          body,
          headers: {
            Origin: server.url,
            Cookie: ann.cookie,
            ...(type ? { "Content-Type": type } : {}),
          },
        });
        expect([400, 415], `${type} to ${path}`).toContain(res.status);
        expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      }
      expect(await stored()).toEqual(before);
    },
  );

  test("S15 a multipart roster upload that is not valid multipart is a 400", async () => {
    const ada = await as("ada");
    const res = await fetch(`${server.url}/admin/import`, {
      method: "POST",
      body: "--zz\r\nnot a part at all",
      headers: {
        Origin: server.url,
        Cookie: ada.cookie,
        "Content-Type": "multipart/form-data; boundary=zz",
      },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("not a valid multipart form");
  });

  test.each(["staff=2026.csv", "staff;v2.csv", 'a"b=c;d.csv'])(
    "S15 finding: a roster file named %j is previewed, not a 500",
    async (name) => {
      const ada = await as("ada");
      const form = new FormData();
      const roster = csvOf(["kim@corp.example,Kim Kaur,Sales,Advisor,,,"]);
      form.append("file", new Blob([roster], { type: "text/csv" }), name);
      const res = await fetch(`${server.url}/admin/import`, {
        method: "POST",
        body: form,
        headers: { Origin: server.url, Cookie: ada.cookie },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("kim@corp.example");
    },
  );
});

describe("S15 quiz submissions are bounded", () => {
  /** Ann, logged in with the quiz open: posts answers to it (nothing is written before). */
  async function quizForm() {
    const ann = await as("ann");
    const html = await (await ann.get("/courses/safety/check")).text();
    const version = /name="version" value="(\d+)"/.exec(html)![1]!;
    return (fields: [string, string][]) =>
      fetch(`${server.url}/courses/safety/check`, {
        method: "POST",
        body: new URLSearchParams([
          ["intent", "quiz"],
          ["quiz", "quiz-1"],
          ["version", version],
          ...fields,
        ]),
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Origin: server.url,
          Cookie: ann.cookie,
        },
      });
  }

  test("S15 finding: a submission with thousands of duplicate answers is a 400 and stores nothing", async () => {
    const quizPost = await quizForm();
    const before = await stored();
    const duplicates = Array.from({ length: 5000 }, (): [string, string] => ["q1", "q1-b"]);
    const res = await quizPost(duplicates);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("takes one answer");
    expect(await stored()).toEqual(before);
  });

  test("S15 finding: 100,000 duplicate fields pass the form limit: 413, nothing stored", async () => {
    const quizPost = await quizForm();
    const before = await stored();
    const res = await quizPost(
      Array.from({ length: 100_000 }, (): [string, string] => ["q1", "q1-b"]),
    );
    expect(res.status).toBe(413);
    expect(await stored()).toEqual(before);
  });

  test("S15 a multi-answer question takes each of its choices once at most", async () => {
    const quizPost = await quizForm();
    const before = await stored();
    const res = await quizPost([
      ["q3", "q3-a"],
      ["q3", "q3-b"],
      ["q3", "q3-c"],
      ["q3", "q3-a"],
    ]);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("has 3 choices; 4 answers were sent");
    expect(await stored()).toEqual(before);
  });

  test.each(["__proto__", "constructor", "toString"])(
    "S15 finding: a quiz field named %s is a 400, not a 500",
    async (name) => {
      const quizPost = await quizForm();
      const before = await stored();
      const res = await quizPost([[name, "x"]]);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`This quiz has no question &quot;${name}&quot;`);
      expect(await stored()).toEqual(before);
    },
  );

  test("S15 what is stored of an attempt is bounded by the quiz itself", async () => {
    const quizPost = await quizForm();
    const res = await quizPost([
      ["q1", "q1-a"],
      ["q2", "q2-b"],
      ["q3", "q3-a"],
      ["q3", "q3-b"],
      ["q3", "q3-c"],
      ["q4", "q4-a"],
      ["q5", "q5-b"],
    ]);
    expect(res.status).toBe(200);
    const longest = (await all(sql`select max(length(answers)) n from quiz_attempts
         union all select max(length(data)) from progress_events`)) as { n: number }[];
    for (const { n } of longest) expect(n).toBeLessThan(1024);
  });
});
