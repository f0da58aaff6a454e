/**
 * The write transaction the current async context is running, shared by both engines' drivers:
 * inside it, queries made through the plain `db` join the transaction (SQLite: the writer handle
 * it holds; PostgreSQL: the pooled connection it runs on) instead of waiting for it, which would
 * never end, or reading around it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface WriteScope {
  /** True while the transaction's work runs (not while it begins or commits). */
  active: boolean;
  trx: unknown;
  /** Whose transaction it is (the SQLite writer handle, the PostgreSQL driver). */
  owner: object;
  /** PostgreSQL: the connection the transaction runs on, once it has begun. */
  connection?: unknown;
}

export const writeScope = new AsyncLocalStorage<WriteScope>();

/** The running transaction of `owner` in this async context, if any. */
export function joinedScope(owner: object): WriteScope | undefined {
  const scope = writeScope.getStore();
  return scope?.active === true && scope.owner === owner ? scope : undefined;
}
