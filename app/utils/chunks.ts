/** SQLite allows 32,766 bound values per statement; batches of this size stay far below. */
export const SQL_BATCH = 500;

/** Splits a list into consecutive batches of at most `size` items. */
export function chunks<T>(items: readonly T[], size = SQL_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
