import { departmentIdFor } from "~/models/departments.server";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { commandLineActor } from "~/models/audit.server";
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
import { hashPassword } from "~/utils/password.server";
import { migratedDatabase } from "./helpers/db";

/** A minimal SMTP server: accepts every message, keeps what it received. */
function fakeSmtp() {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    let data: string | null = null;
    let buffer = "";
    socket.write("220 fake ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === ".") {
            received.push(data);
            data = null;
            socket.write("250 queued\r\n");
          } else data += `${line}\n`;
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write("250 fake\r\n");
        else if (/^DATA/i.test(line)) {
          data = "";
          socket.write("354 go ahead\r\n");
        } else if (/^QUIT/i.test(line)) socket.end("221 bye\r\n");
        else socket.write("250 OK\r\n");
      }
    });
  });
  return { server, received };
}

const smtp = fakeSmtp();
let sqlite: Awaited<ReturnType<typeof migratedDatabase>>["sqlite"];
const ids: Record<string, number> = {};
const cli = commandLineActor("test");
const as = (key: string) => ({ id: ids[key]!, label: `${key}@p.example` });
const values = async (key: string) => {
  const u = (await findUserByEmail(`${key}@p.example`))!;
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
  await new Promise<void>((resolve) => smtp.server.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as net.AddressInfo;
  // Read once, when the environment is first parsed (below, by the database).
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  ({ sqlite } = await migratedDatabase());
  const ops = await departmentIdFor("Ops");
  // Ada (admin) manages Bo, who manages Cy. Di has a password.
  ids.ada = await createUser({
    email: "ada@p.example",
    name: "Ada",
    departmentId: ops,
    isAdmin: true,
  });
  ids.bo = await createUser({
    email: "bo@p.example",
    name: "Bo",
    departmentId: ops,
    managerId: ids.ada,
  });
  ids.cy = await createUser({
    email: "cy@p.example",
    name: "Cy",
    departmentId: ops,
    managerId: ids.bo,
  });
  ids.di = await createUser({
    email: "di@p.example",
    name: "Di",
    departmentId: ops,
    passwordHash: await hashPassword("di-old-password"),
  });
});

afterAll(() => {
  smtp.server.close();
});

describe("editing a person", () => {
  test.each([
    [
      "their own report as manager",
      "bo",
      { managerEmail: "cy@p.example" },
      "managerEmail",
      /Cy reports to Bo/,
    ],
    [
      "themselves as manager",
      "bo",
      { managerEmail: "bo@p.example" },
      "managerEmail",
      /cannot manage themselves/,
    ],
    ["an unknown manager", "bo", { managerEmail: "zed@p.example" }, "managerEmail", /No person/],
    [
      "an email someone else has",
      "bo",
      { email: "cy@p.example" },
      "email",
      /already belongs to Cy/,
    ],
    ["the last admin losing admin", "ada", { isAdmin: false }, "isAdmin", /last active admin/],
  ] as const)("refuses %s", async (_, key, change, field, message) => {
    const before = sqlite.prepare("select * from users order by id").all();
    const actor = key === "ada" ? cli : as("ada");
    const error = await editPerson(actor, ids[key]!, {
      ...(await values(key)),
      managerEmail: key === "bo" ? "ada@p.example" : null,
      ...change,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonError);
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
    expect(sqlite.prepare("select * from users order by id").all()).toEqual(before);
  });

  test("an admin cannot remove their own admin role", async () => {
    await createUser({ email: "eve@p.example", name: "Eve", departmentId: null, isAdmin: true });
    await expect(
      editPerson(as("ada"), ids.ada!, { ...(await values("ada")), isAdmin: false }),
    ).rejects.toMatchObject({
      field: "isAdmin",
      message: expect.stringMatching(/your own admin role/),
    });
  });

  test("saves only the changed fields and audits them, roles separately", async () => {
    const saved = await editPerson(as("ada"), ids.cy!, {
      ...(await values("cy")),
      managerEmail: "ada@p.example",
      title: "Picker",
      department: "Dispatch",
      isLeader: true,
    });
    expect(saved).toBe(true);
    expect(await findUserByEmail("cy@p.example")).toMatchObject({
      manager_id: ids.ada,
      title: "Picker",
      is_leader: 1,
    });
    const audit = sqlite
      .prepare(
        "select actor, action, before, after from audit_log where subject_id = ? order by id",
      )
      .all(ids.cy);
    expect(audit).toEqual([
      {
        actor: "ada@p.example",
        action: "person.updated",
        before: JSON.stringify({ department: "Ops", title: "", managerEmail: "bo@p.example" }),
        after: JSON.stringify({
          department: "Dispatch",
          title: "Picker",
          managerEmail: "ada@p.example",
        }),
      },
      {
        actor: "ada@p.example",
        action: "person.roles_changed",
        before: JSON.stringify({ isLeader: false }),
        after: JSON.stringify({ isLeader: true }),
      },
    ]);
    // The same values again: nothing to save, nothing audited.
    const again = await editPerson(as("ada"), ids.cy!, {
      ...(await values("cy")),
      department: "dispatch",
      managerEmail: "ada@p.example",
    });
    expect(again).toBe(false);
  });
});

describe("deactivation", () => {
  test("ends every session at once, keeps the person, and can be undone", async () => {
    await createSessionCookie(ids.bo!);
    await createSessionCookie(ids.bo!);
    const sessions = sqlite.prepare("select count(*) n from sessions where user_id = ?");
    expect(sessions.get(ids.bo)).toEqual({ n: 2 });
    await setPersonStatus(as("ada"), ids.bo!, "deactivated");
    expect(sessions.get(ids.bo)).toEqual({ n: 0 });
    expect(await findUserByEmail("bo@p.example")).toMatchObject({ status: "deactivated" });
    await setPersonStatus(as("ada"), ids.bo!, "active");
    expect(await findUserByEmail("bo@p.example")).toMatchObject({ status: "active" });
    const actions = sqlite
      .prepare(
        "select action, after from audit_log where subject_id = ? and action like 'person.%activated'",
      )
      .all(ids.bo);
    expect(actions).toEqual([
      { action: "person.deactivated", after: '{"status":"deactivated"}' },
      { action: "person.reactivated", after: '{"status":"active"}' },
    ]);
  });

  test("nobody can deactivate themselves", async () => {
    await expect(setPersonStatus(as("ada"), ids.ada!, "deactivated")).rejects.toThrow(
      /cannot deactivate yourself/,
    );
  });
});

describe("the audit log", () => {
  test("is append-only", () => {
    expect(() => sqlite.prepare("update audit_log set actor = 'someone else'").run()).toThrow(
      /append-only/,
    );
    expect(() => sqlite.prepare("delete from audit_log").run()).toThrow(/append-only/);
  });
});

describe("set-password links", () => {
  test("an invitation is mailed through SMTP_URL, stored as a hash, and works once", async () => {
    const link = await issueSetPasswordLink(as("ada"), ids.bo!);
    expect(link).toMatchObject({ purpose: "invite", delivery: "sent" });
    const token = link.url.split("/").pop()!;
    // The body is quoted-printable: undo its soft line breaks and escapes.
    const mail = smtp.received
      .at(-1)!
      .replace(/=\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(mail).toContain("To: bo@p.example");
    expect(mail).toContain(link.url);
    expect(JSON.stringify(sqlite.prepare("select * from one_time_tokens").all())).not.toContain(
      token,
    );
    expect(await setPasswordLinkFor(token)).toEqual({
      purpose: "invite",
      name: "Bo",
      email: "bo@p.example",
    });

    await expect(setPasswordWithLink(token, "short")).rejects.toMatchObject({ field: "password" });
    expect(await setPasswordWithLink(token, "bo-new-password")).toBe(ids.bo);
    await expect(setPasswordWithLink(token, "bo-other-password")).rejects.toBeInstanceOf(
      AccountError,
    );
    expect(await setPasswordLinkFor(token)).toBeNull();
  });

  test("someone with a password gets a reset link, which expires after a day", async () => {
    const link = await issueSetPasswordLink(as("ada"), ids.di!);
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
      sqlite
        .prepare(
          "select action, after from audit_log where action = 'link.issued' and subject_id = ?",
        )
        .get(ids.di),
    ).toEqual({
      action: "link.issued",
      after: expect.stringContaining('"purpose":"reset"'),
    });
  });

  test("a link stops working when its person is deactivated; none is issued for them", async () => {
    const link = await issueSetPasswordLink(as("ada"), ids.cy!);
    await setPersonStatus(as("ada"), ids.cy!, "deactivated");
    expect(await setPasswordLinkFor(link.url.split("/").pop()!)).toBeNull();
    await expect(issueSetPasswordLink(as("ada"), ids.cy!)).rejects.toThrow(/deactivated/);
  });

  test("mail the SMTP server refuses lands in the outbox, with the reason", async () => {
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    const link = await issueSetPasswordLink(as("ada"), ids.di!);
    expect(link.delivery).toBe("failed");
    expect(sqlite.prepare("select recipient, body, delivery_error from outbox").all()).toEqual([
      {
        recipient: "di@p.example",
        body: expect.stringContaining(link.url),
        delivery_error: expect.stringMatching(/^SMTP refused it: .*ECONNREFUSED/),
      },
    ]);
  });
});
