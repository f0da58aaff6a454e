/**
 * Work that must not overlap within this process (one recompute, one course sync, one compile at
 * a time): each call waits for the previous one to settle, success or failure.
 */
export function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return function runSerially<T>(work: () => Promise<T>): Promise<T> {
    const result = tail.then(work, work);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
}
