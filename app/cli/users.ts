import { migrateToLatest } from "#db/migrate";
import { AccountError, setPasswordByEmail } from "~/services/accounts.server";
import { handlesFor } from "~/utils/db.server";
import { UsageError } from "./usage";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

export async function usersCommand(args: string[]): Promise<number> {
  const [sub, email, ...extra] = args;
  if (sub !== "set-password" || !email || extra.length > 0) {
    throw new UsageError(
      "Usage: staffroom users set-password <email>  (the new password is read from standard input)",
    );
  }
  await migrateToLatest(handlesFor().db);
  if (process.stdin.isTTY) process.stderr.write("Type the new password, then Enter and Ctrl-D:\n");
  const password = (await readStdin()).replace(/\r?\n$/, "");
  try {
    await setPasswordByEmail(email, password);
  } catch (error) {
    if (error instanceof AccountError) {
      console.error(`Password not changed: ${error.message}`);
      return 1;
    }
    throw error;
  }
  console.log(`Password set for ${email}.`);
  return 0;
}
