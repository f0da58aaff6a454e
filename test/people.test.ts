import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { appendAudit, commandLineActor } from "~/models/audit.server";
import { createUser, findUserByEmail } from "~/models/users.server";
import { AccountError } from "~/services/accounts.server";
import {
  issueSetPasswordLink,
  setPasswordLinkFor,
  setPasswordWithLink,
} from "~/services/invitations.server";
import { editPerson, PersonError, setPersonStatus } from "~/services/people.server";
import { createSessionCookie } from "~/services/session.server";
import { advanceClock, resetClock } from "~/utils/clock.server";
import { all, exec, migratedDatabase, one } from "./helpers/db";
import { keepOnlyAdmins, seedTeam, type Team } from "./helpers/people";
import { startMailServer } from "./helpers/smtp";

let smtp: Awaited<ReturnType<typeof startMailServer>>;
const cli = commandLineActor("test");

/** Each test's own people: Ada (admin) manages Bo, who manages Cy; only Di has a password. */
const team = () =>
  seedTeam([
    { key: "ada", name: "Ada", dept: "Ops", admin: true, invited: true },
    { key: "bo", name: "Bo", dept: "Ops", manager: "ada", invited: true },
    { key: "cy", name: "Cy", dept: "Ops", manager: "bo", invited: true },
    { key: "di", name: "Di", dept: "Ops" },
  ]);
const as = (t: Team, key: string) => ({ id: t.id(key), label: t.email(key) });
const values = async (t: Team, key: string) => {
  const u = (await findUserByEmail(t.email(key)))!;
  return {
    email: u.email,
    name: u.name,
    department: "Ops",
    title: u.title,
    managerEmail: null as string | null,
    isAdmin: u.is_admin === 1,
    isLeader: u.is_leader === 1,
    hiredOn: u.hired_on,
  };
};

beforeAll(async () => {
  smtp = await startMailServer();
  // Read once, when the environment is first parsed (below, by the database).
  process.env.SMTP_URL = smtp.url;
  await migratedDatabase();
});

afterAll(async () => {
  await smtp.close();
});

describe("editing a person", () => {
  test.each([
    [
      "their own report as manager",
      "bo",
      (t: Team) => ({ managerEmail: t.email("cy") }),
      "managerEmail",
      /Cy reports to Bo/,
    ],
    [
      "themselves as manager",
      "bo",
      (t: Team) => ({ managerEmail: t.email("bo") }),
      "managerEmail",
      /cannot manage themselves/,
    ],
    [
      "an unknown manager",
      "bo",
      () => ({ managerEmail: "zed@nowhere.example" }),
      "managerEmail",
      /No person/,
    ],
    [
      "an email someone else has",
      "bo",
      (t: Team) => ({ email: t.email("cy") }),
      "email",
      /already belongs to Cy/,
    ],
    [
      "the last admin losing admin",
      "ada",
      () => ({ isAdmin: false }),
      "isAdmin",
      /last active admin/,
    ],
  ] as const)("refuses %s", async (_, key, change, field, message) => {
    const t = await team();
    // Ada is the last active admin: other tests' admins do not count.
    await keepOnlyAdmins(t.id("ada"));
    const before = await all(sql`select * from users order by id`);
    const actor = key === "ada" ? cli : as(t, "ada");
    const error = await editPerson(actor, t.id(key), {
      ...(await values(t, key)),
      managerEmail: key === "bo" ? t.email("ada") : null,
      ...change(t),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonError);
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
    expect(await all(sql`select * from users order by id`)).toEqual(before);
  });

  test("an admin cannot remove their own admin role", async () => {
    const t = await team();
    await createUser({ email: `eve@${t.domain}`, name: "Eve", departmentId: null, isAdmin: true });
    await expect(
      editPerson(as(t, "ada"), t.id("ada"), { ...(await values(t, "ada")), isAdmin: false }),
    ).rejects.toMatchObject({
      field: "isAdmin",
      message: expect.stringMatching(/your own admin role/),
    });
  });

  test("saves only the changed fields and audits them, roles separately", async () => {
    const t = await team();
    const saved = await editPerson(as(t, "ada"), t.id("cy"), {
      ...(await values(t, "cy")),
      managerEmail: t.email("ada"),
      title: "Picker",
      department: "Dispatch",
      isLeader: true,
    });
    expect(saved).toBe(true);
    expect(await findUserByEmail(t.email("cy"))).toMatchObject({
      manager_id: t.id("ada"),
      title: "Picker",
      is_leader: 1,
    });
    const audit = await all(
      sql`select actor, action, before, after from audit_log where subject_id = ${t.id("cy")} order by id`,
    );
    expect(audit).toEqual([
      {
        actor: t.email("ada"),
        action: "person.updated",
        before: JSON.stringify({ department: "Ops", title: "", managerEmail: t.email("bo") }),
        after: JSON.stringify({
          department: "Dispatch",
          title: "Picker",
          managerEmail: t.email("ada"),
        }),
      },
      {
        actor: t.email("ada"),
        action: "person.roles_changed",
        before: JSON.stringify({ isLeader: false }),
        after: JSON.stringify({ isLeader: true }),
      },
    ]);
    // The same values again: nothing to save, nothing audited.
    const again = await editPerson(as(t, "ada"), t.id("cy"), {
      ...(await values(t, "cy")),
      department: "dispatch",
      managerEmail: t.email("ada"),
    });
    expect(again).toBe(false);
  });
});

describe("deactivation", () => {
  test("ends every session at once, keeps the person, and can be undone", async () => {
    const t = await team();
    await createSessionCookie(t.id("bo"));
    await createSessionCookie(t.id("bo"));
    const sessions = () => one(sql`select count(*) n from sessions where user_id = ${t.id("bo")}`);
    expect(await sessions()).toEqual({ n: 2 });
    await setPersonStatus(as(t, "ada"), t.id("bo"), "deactivated");
    expect(await sessions()).toEqual({ n: 0 });
    expect(await findUserByEmail(t.email("bo"))).toMatchObject({ status: "deactivated" });
    await setPersonStatus(as(t, "ada"), t.id("bo"), "active");
    expect(await findUserByEmail(t.email("bo"))).toMatchObject({ status: "active" });
    const actions = await all(
      sql`select action, after from audit_log where subject_id = ${t.id("bo")} and action like 'person.%activated'`,
    );
    expect(actions).toEqual([
      { action: "person.deactivated", after: '{"status":"deactivated"}' },
      { action: "person.reactivated", after: '{"status":"active"}' },
    ]);
  });

  test("nobody can deactivate themselves", async () => {
    const t = await team();
    await expect(setPersonStatus(as(t, "ada"), t.id("ada"), "deactivated")).rejects.toThrow(
      /cannot deactivate yourself/,
    );
  });
});

describe("the audit log", () => {
  test("is append-only", async () => {
    const t = await team();
    const bo = t.id("bo");
    await appendAudit(as(t, "ada"), [{ action: "person.updated", subjectId: bo }]);
    await expect(
      exec(sql`update audit_log set actor = 'someone else' where subject_id = ${bo}`),
    ).rejects.toThrow(/append-only/);
    await expect(exec(sql`delete from audit_log where subject_id = ${bo}`)).rejects.toThrow(
      /append-only/,
    );
  });
});

describe("set-password links", () => {
  test("an invitation is mailed through SMTP_URL, stored as a hash, and works once", async () => {
    const t = await team();
    const link = await issueSetPasswordLink(as(t, "ada"), t.id("bo"));
    expect(link).toMatchObject({ purpose: "invite", delivery: "sent" });
    const token = link.url.split("/").pop()!;
    const mail = smtp.mailTo(t.email("bo"));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.headers.to).toBe(t.email("bo"));
    expect(mail[0]!.parts["text/plain"]).toContain(link.url);
    expect(JSON.stringify(await all(sql`select * from one_time_tokens`))).not.toContain(token);
    expect(await setPasswordLinkFor(token)).toEqual({
      purpose: "invite",
      name: "Bo",
      email: t.email("bo"),
    });

    await expect(setPasswordWithLink(token, "short")).rejects.toMatchObject({ field: "password" });
    expect(await setPasswordWithLink(token, "bo-new-password")).toBe(t.id("bo"));
    await expect(setPasswordWithLink(token, "bo-other-password")).rejects.toBeInstanceOf(
      AccountError,
    );
    expect(await setPasswordLinkFor(token)).toBeNull();
  });

  test("someone with a password gets a reset link, which expires after a day", async () => {
    const t = await team();
    const link = await issueSetPasswordLink(as(t, "ada"), t.id("di"));
    expect(link.purpose).toBe("reset");
    const token = link.url.split("/").pop()!;
    try {
      advanceClock(25 * 60 * 60 * 1000);
      expect(await setPasswordLinkFor(token)).toBeNull();
      await expect(setPasswordWithLink(token, "di-new-password")).rejects.toThrow(/expired/);
    } finally {
      resetClock();
    }
    expect(
      await one(
        sql`select action, after from audit_log where action = 'link.issued' and subject_id = ${t.id("di")}`,
      ),
    ).toEqual({
      action: "link.issued",
      after: expect.stringContaining('"purpose":"reset"'),
    });
  });

  test("a link stops working when its person is deactivated; none is issued for them", async () => {
    const t = await team();
    const link = await issueSetPasswordLink(as(t, "ada"), t.id("cy"));
    await setPersonStatus(as(t, "ada"), t.id("cy"), "deactivated");
    expect(await setPasswordLinkFor(link.url.split("/").pop()!)).toBeNull();
    await expect(issueSetPasswordLink(as(t, "ada"), t.id("cy"))).rejects.toThrow(/deactivated/);
  });

  test("mail the SMTP server refuses lands in the outbox, with the reason", async () => {
    const t = await team();
    const link = await smtp.refusing(() => issueSetPasswordLink(as(t, "ada"), t.id("di")));
    expect(link.delivery).toBe("failed");
    expect(smtp.mailTo(t.email("di"))).toEqual([]);
    expect(
      await all(
        sql`select recipient, body, delivery_error from outbox where recipient = ${t.email("di")}`,
      ),
    ).toEqual([
      {
        recipient: t.email("di"),
        body: expect.stringContaining(link.url),
        delivery_error: expect.stringMatching(/^SMTP refused it: .*550 Mailbox unavailable/),
      },
    ]);
  });
});
