import { sql, type Expression, type SqlBool } from "kysely";

const escapeLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/**
 * `column` contains `text` in any case, with `%` and `_` taken literally: the same answer on
 * SQLite (whose LIKE ignores ASCII case) and PostgreSQL (whose LIKE does not). Letters beyond
 * ASCII match in any case only on PostgreSQL.
 */
export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${escapeLike(text.toLowerCase())}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
