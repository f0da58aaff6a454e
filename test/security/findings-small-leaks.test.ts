import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { actorOf } from "~/models/audit.server";
import { getViewer } from "~/models/users.server";
import { issueSetPasswordLink, setPasswordLinkFor } from "~/services/invitations.server";
import { setPersonStatus } from "~/services/people.server";
import { personReport } from "~/services/reports.server";
import { migratedDatabase } from "../helpers/db";
import { Browser } from "../helpers/http";
import { email, loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// Findings (issue 10, "Small leaks") owned here; the nosniff and HSTS ones are in
// s11-headers.test.ts.

let server: RunningServer;
let ids: Map<string, number>;

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople([
    { key: "ada", name: "Ada Admin", admin: true },
    { key: "mia", name: "Mia Manager" },
    { key: "ann", name: "Ann Able", manager: "mia", admin: true, leader: true },
    { key: "xena", name: "Xena Other" },
    { key: "dee", name: "Dee Dunn", manager: "xena" },
    { key: "cy", name: "Cy Cole" },
  ]);
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

describe("finding: small leaks", () => {
  test("a manager cannot tell whether an email is on the roster through team.csv?manager= (or the team page)", async () => {
    const mia = await loggedIn(server.url, "mia");
    for (const path of ["/team.csv", "/team", "/team.data"]) {
      const known = await mia.get(`${path}?manager=${encodeURIComponent(email("xena"))}`);
      const unknown = await mia.get(`${path}?manager=nobody%40test.example`);
      expect([known.status, unknown.status], path).toEqual([403, 403]);
      const [a, b] = [await known.text(), await unknown.text()];
      expect(a.replace(/nonce="[^"]+"|'nonce-[^']+'/g, ""), path).toBe(
        b.replace(/nonce="[^"]+"|'nonce-[^']+'/g, ""),
      );
    }
  });

  test("/people/:id.data returns only what the person page shows", async () => {
    const viewer = (await getViewer(ids.get("mia")!))!;
    const report = await personReport(viewer, ids.get("ann")!);
    expect(report.person).toEqual({
      name: "Ann Able",
      title: "",
      department: null,
      managerName: "Mia Manager",
      hiredOn: null,
      deactivated: false,
    });
    expect(Object.keys(report.rows[0]!).sort()).toEqual(
      [
        "assignmentId",
        "completedOn",
        "courseTitle",
        "cycle",
        "dueOn",
        "isCurrent",
        "lastActivityOn",
        "lessonCount",
        "lessonsCompleted",
        "removed",
        "status",
        "waivedReason",
      ].sort(),
    );
    // And over HTTP: none of what the page leaves out (the viewer's own flags are in root's data).
    const mia = await loggedIn(server.url, "mia");
    const res = await mia.get(`/people/${ids.get("ann")}.data`);
    expect(res.status).toBe(200);
    const data = await res.text();
    expect(data).toContain("Ann Able");
    for (const hidden of ["hasPassword", "hasReports", "managerEmail", email("ann"), "userId"]) {
      expect(data, hidden).not.toContain(hidden);
    }
  });

  test("a set-password link is revoked at deactivation and does not revive at reactivation", async () => {
    const ada = actorOf({ id: ids.get("ada")!, email: email("ada") });
    const link = await issueSetPasswordLink(ada, ids.get("cy")!);
    const path = new URL(link.url).pathname;
    expect((await new Browser(server.url).get(path)).status).toBe(200);
    await setPersonStatus(ada, ids.get("cy")!, "deactivated");
    await setPersonStatus(ada, ids.get("cy")!, "active");
    expect(await setPasswordLinkFor(path.split("/").pop()!)).toBeNull();
    expect((await new Browser(server.url).get(path)).status).toBe(404);
  });
});
