import { beforeAll, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { loader as courseLoader } from "~/routes/courses.$course._index";
import { loader as lessonLoader } from "~/routes/courses.$course.$lesson";
import { syncCourses } from "~/services/courses.server";
import { compileCount } from "~/services/mdx-compile.server";
import { createSessionCookie } from "~/services/session.server";
import { migratedDatabase } from "./helpers/db";

let cookie: string;

beforeAll(async () => {
  await migratedDatabase();
  expect((await syncCourses("test/fixtures/courses-integration")).errors).toEqual([]);
  const userId = await createUser({
    email: "reader@example.com",
    name: "Reader",
    departmentId: null,
  });
  cookie = (await createSessionCookie(userId)).split(";")[0]!;
});

const args = (path: string, params: Record<string, string>) => ({
  request: new Request(`http://localhost${path}`, { headers: { Cookie: cookie } }),
  params,
  context: { clientIp: "127.0.0.1" },
});

test("lesson and course requests perform zero MDX compiles and send no compiled code", async () => {
  const before = compileCount();
  const payloads: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    for (const [course, lesson] of [
      ["basics", "first"],
      ["basics", "second"],
      ["quizzed", "check"],
    ] as const) {
      payloads.push(await lessonLoader(args(`/courses/${course}/${lesson}`, { course, lesson })));
    }
    payloads.push(await courseLoader(args("/courses/basics", { course: "basics" })));
  }
  expect(compileCount()).toBe(before);

  const json = JSON.stringify(payloads);
  expect(json).toContain("The first lesson");
  expect(json).not.toMatch(/MDXContent|_jsx|jsx_runtime|new Function|arguments\[0\]/);
  expect(json).not.toContain("EXPLANATION-MARKER");
});
