import { db } from "~/utils/db.server";

/** A department's id by name (any case), or undefined. */
export async function findDepartmentId(name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom("departments")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
  return row?.id;
}

/** A department's id by name (any case), creating it when it is new. Call inside a write. */
export async function departmentIdFor(name: string): Promise<number> {
  const known = await findDepartmentId(name);
  if (known !== undefined) return known;
  const created = await db
    .insertInto("departments")
    .values({ name })
    .returning("id")
    .executeTakeFirstOrThrow();
  return created.id;
}

export async function listDepartmentNames(): Promise<string[]> {
  const rows = await db.selectFrom("departments").select("name").orderBy("name").execute();
  return rows.map((r) => r.name);
}
