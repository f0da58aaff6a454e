import { expect, test } from "vitest";
import { hashPassword, passwordProblem } from "~/utils/password.server";

test("S8 passwords need at least 8 characters and common ones are refused", () => {
  expect(passwordProblem("short")).toMatch(/at least 8/);
  expect(passwordProblem("password123")).toMatch(/too common/);
  expect(passwordProblem("a long and unusual phrase")).toBeNull();
});

test("S8 hashes are argon2id with m=19 MiB, t=2, p=1", async () => {
  expect(await hashPassword("a long and unusual phrase")).toMatch(
    /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
  );
});
