import { db } from "~/utils/db.server";
import { now, nowIso } from "~/utils/clock.server";

const KEEP_MS = 24 * 60 * 60 * 1000;

/** Keeps a validated roster file until its uploader applies it; older ones are dropped. */
export async function stageRosterUpload(uploadedBy: number, fileName: string, content: string) {
  await db
    .deleteFrom("roster_uploads")
    .where("created_at", "<", new Date(now().getTime() - KEEP_MS).toISOString())
    .execute();
  const row = await db
    .insertInto("roster_uploads")
    .values({ uploaded_by: uploadedBy, file_name: fileName, content, created_at: nowIso() })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findRosterUpload(id: number, uploadedBy: number) {
  return db
    .selectFrom("roster_uploads")
    .select(["id", "file_name as fileName", "content"])
    .where("id", "=", id)
    .where("uploaded_by", "=", uploadedBy)
    .executeTakeFirst();
}

export async function deleteRosterUpload(id: number) {
  await db.deleteFrom("roster_uploads").where("id", "=", id).execute();
}
