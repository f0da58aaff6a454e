import { test } from "vitest";
import { migratedDatabase } from "../helpers/db";
import { startServer } from "../helpers/server";
import { writeFaultCourses, DRILL, lessonSlug } from "./helpers/courses";
import {
  completeLesson,
  logInAll,
  quizVersion,
  seedLearners,
  submitQuiz,
} from "./helpers/learners";
import { percentile } from "./helpers/load";

test("debug", async () => {
  await migratedDatabase();
  const ids = await seedLearners(60);
  const dir = writeFaultCourses(40);
  for (const [workers, cn, mode] of [
    ["1", 0, "q"],
    ["1", 12, "get"],
    ["1", 12, "q"],
    ["1", 3, "q"],
  ] as const) {
    const server = await startServer({ COURSES_DIR: dir, WEB_CONCURRENCY: workers });
    const s = await logInAll(server.url, [...ids.keys()]);
    const keys = [...ids.keys()];
    const v = await quizVersion(s.get("learner1")!);
    let stop = false;
    const lat: Record<string, number[]> = { c: [], q: [] };
    let n = workers === "1" ? 0 : 20;
    const cs = Array.from({ length: cn }, async (_, c) => {
      while (!stop) {
        const key = keys[n++ % 60]!;
        const t = performance.now();
        const res = await completeLesson(
          s.get(key)!,
          DRILL,
          lessonSlug(1 + (Math.floor(n / 60) % 40)),
        );
        await res.arrayBuffer();
        lat.c!.push(performance.now() - t);
      }
    });
    const qs = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const key = keys[(c + 4 * i) % 60]!;
        const t = performance.now();
        const res =
          mode === "q"
            ? await submitQuiz(s.get(key)!, v, i % 3 === 0)
            : await s.get(key)!.get("/courses/checks/check");
        await res.arrayBuffer();
        lat.q!.push(performance.now() - t);
      }
    });
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await Promise.all([...cs, ...qs]);
    for (const k of ["c", "q"])
      console.log(
        "workers",
        workers,
        cn,
        mode,
        k,
        lat[k]!.length,
        percentile(lat[k]!, 50).toFixed(0),
        percentile(lat[k]!, 99).toFixed(0),
        Math.max(...lat[k]!).toFixed(0),
      );
    await server.stop();
  }
});
