import { beforeAll, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { createSessionCookie, getViewerOrNull, logout } from "~/services/session.server";
import { inRequestScope } from "~/utils/request-scope.server";
import { migratedDatabase } from "./helpers/db";

let cookie: string;

beforeAll(async () => {
  await migratedDatabase();
  const id = await createUser({ email: "scope@example.com", name: "Scope", departmentId: null });
  cookie = (await createSessionCookie(id)).split(";")[0]!;
});

const request = (method = "GET") =>
  new Request("http://localhost/", { method, headers: { Cookie: cookie } });

test("a page's loaders share one lookup of who is signed in per request", async () => {
  await inRequestScope(async () => {
    const root = getViewerOrNull(request());
    const page = getViewerOrNull(request());
    expect(page).toBe(root);
    expect((await root)?.email).toBe("scope@example.com");
  });
  // Another request looks again.
  const [first, second] = await Promise.all([
    inRequestScope(() => getViewerOrNull(request())),
    inRequestScope(() => getViewerOrNull(request())),
  ]);
  expect(first).toEqual(second);
});

test("an action's lookup is not shared: the loaders after a logout see nobody", async () => {
  const own = await createUser({
    email: "leaving@example.com",
    name: "Leaving",
    departmentId: null,
  });
  const leaving = (await createSessionCookie(own)).split(";")[0]!;
  const post = new Request("http://localhost/logout", {
    method: "POST",
    headers: { Cookie: leaving },
  });
  await inRequestScope(async () => {
    expect(await getViewerOrNull(post)).not.toBeNull();
    await logout(post);
    const after = new Request("http://localhost/", { headers: { Cookie: leaving } });
    expect(await getViewerOrNull(after)).toBeNull();
  });
});
