/**
 * One request's own memory. server.js runs each request inside `inRequestScope`; what a page's
 * loaders would each work out again (the root's and the page's: who is signed in), the first
 * works out for all of them. Outside a request (tests, the CLI) nothing is remembered.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<Map<string, unknown>>();

export const inRequestScope = <T>(work: () => T): T => scope.run(new Map(), work);

export function oncePerRequest<T>(key: string, compute: () => T): T {
  const memo = scope.getStore();
  if (!memo) return compute();
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}
