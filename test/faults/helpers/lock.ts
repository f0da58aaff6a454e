import Database from "better-sqlite3";

/**
 * Another process takes the database's write lock (`BEGIN IMMEDIATE` on its own connection, as
 * a long command would) and keeps it for `ms`. Resolves once the lock is held; `released`
 * settles when it has been given back.
 */
export function holdWriteLock(file: string, ms: number) {
  const holder = new Database(file, { timeout: 10_000 });
  holder.exec("BEGIN IMMEDIATE");
  const heldAt = Date.now();
  const released = new Promise<number>((resolve) =>
    setTimeout(() => {
      holder.exec("COMMIT");
      holder.close();
      resolve(Date.now());
    }, ms),
  );
  return { heldAt, released };
}
