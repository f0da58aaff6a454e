/**
 * The editor's hands in COURSES_DIR. A change to one course folder is staged first: the folder as
 * it would be afterwards is written to a temporary copy and checked and compiled by the same code
 * as `courses sync` (checkStagedCourses). Publishing it then writes each new file beside its
 * target (a hidden temporary name), and renames them into place as the LAST step inside the
 * database write that records the new versions, just before its commit. So the database is never
 * ahead of the files: a crash between the renames and the commit leaves files that the next
 * `courses sync` (every server start runs one) publishes like any edit from git. When the commit
 * itself fails, the renames are undone. Nothing here follows a symbolic link.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Actor } from "~/models/audit.server";
import { writeTransaction } from "~/utils/db.server";
import { conflict, invalid } from "~/utils/domain-errors.server";
import { env } from "~/utils/env.server";
import {
  applyCheckedCourses,
  checkStagedCourses,
  readCourseFolder,
  type AppliedCourses,
  type Checked,
} from "./courses.server";

const NO_FOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);
const LESSON_NAME = /^(\d+)-(.+\.mdx)$/;
/** Archived lesson files go here; `courses sync` reads only files directly in the course folder. */
export const ARCHIVE_FOLDER = "_archive";

export interface FolderChange {
  course: string;
  /** Files to write into the course folder: new ones and replacements (name → source). */
  write?: Record<string, string>;
  /** Every lesson file, in the new order (current names): renumbered `01-…`, `02-…`. */
  order?: string[];
  /** Lesson files moved into `_archive/`. */
  archive?: string[];
}

/** One course folder as the change leaves it, checked; `apply` puts it on disk. */
export interface StagedChange {
  change: FolderChange;
  checked: Checked;
  /**
   * The folder's files when it was staged (name → source), and the names the change creates
   * (null): the whole course was checked and is published as staged, so none may change before
   * the commit.
   */
  expected: Map<string, string | null>;
  /** The folder does not exist yet: a draft course's first publish. */
  newFolder: boolean;
  /** Renames that put the lessons in the new order, in the order to run them. */
  renames: [string, string][];
}

const folderOf = (course: string) => path.join(env().coursesDir, course);

function lstatOrUndefined(file: string) {
  return fs.lstatSync(file, { throwIfNoEntry: false });
}

/** The .mdx files directly in a course folder now (name → source), read as the sync reads them. */
export function currentFiles(course: string): Map<string, string> {
  const stat = lstatOrUndefined(folderOf(course));
  if (!stat) return new Map();
  if (!stat.isDirectory()) {
    throw invalid(`The course folder ${course} is not a real folder (a symbolic link?).`);
  }
  const read = readCourseFolder(env().coursesDir, course).course;
  const files = new Map<string, string>();
  if (!read) return files;
  files.set("course.mdx", read.source);
  for (const lesson of read.lessons) files.set(path.basename(lesson.file), lesson.source);
  return files;
}

/** The file of a course's lesson with this id, if the folder has one. */
export function lessonFileName(course: string, lessonSlug: string): string | undefined {
  const read = readCourseFolder(env().coursesDir, course).course;
  const lesson = read?.lessons.find((l) => l.slug === lessonSlug);
  return lesson ? path.basename(lesson.file) : undefined;
}

/** `NN-` with at least two digits: the prefix the next lesson file of a folder gets. */
export function nextLessonName(names: Iterable<string>, rest: string): string {
  const numbers = [...names].map((n) => Number(LESSON_NAME.exec(n)?.[1] ?? 0));
  return `${String(Math.max(0, ...numbers) + 1).padStart(2, "0")}-${rest}`;
}

/**
 * Renames that renumber `order` as 1, 2, 3…: files that move go first to numbers above every
 * current one, then to their place, so that the folder is a valid course after every rename.
 */
function renumbering(order: string[], names: string[]): [string, string][] {
  const width = Math.max(2, String(order.length).length);
  const top = Math.max(order.length, ...names.map((n) => Number(LESSON_NAME.exec(n)?.[1] ?? 0)));
  const moves = order
    .map((name, i) => {
      const rest = LESSON_NAME.exec(name)?.[2] ?? name;
      return { name, rest, to: `${String(i + 1).padStart(width, "0")}-${rest}` };
    })
    .filter((m) => m.to !== m.name);
  const parked = moves.map((m, i) => `${top + 1 + i}-${m.rest}`);
  return [
    ...moves.map((m, i): [string, string] => [m.name, parked[i]!]),
    ...moves.map((m, i): [string, string] => [parked[i]!, m.to]),
  ];
}

/** Writes the folder as the change leaves it to a temporary copy and checks it like a sync. */
export async function stageChange(change: FolderChange): Promise<StagedChange> {
  const now = currentFiles(change.course);
  const newFolder = lstatOrUndefined(folderOf(change.course)) === undefined;
  const next = new Map(now);
  const expected = new Map<string, string | null>(now);
  const touch = (name: string) => {
    if (!expected.has(name)) expected.set(name, now.get(name) ?? null);
  };
  for (const name of change.archive ?? []) {
    if (!now.has(name)) throw conflict(`${name} is no longer in the course folder.`);
    touch(name);
    next.delete(name);
  }
  let renames: [string, string][] = [];
  if (change.order) {
    const lessons = [...now.keys()].filter((n) => n !== "course.mdx");
    if ([...change.order].sort().join("\n") !== lessons.sort().join("\n")) {
      throw conflict("The lessons in the course folder changed: reload the page and try again.");
    }
    renames = renumbering(change.order, lessons);
    for (const [from, to] of renames) {
      touch(from);
      touch(to);
      const source = next.get(from);
      if (source === undefined) continue;
      next.delete(from);
      next.set(to, source);
    }
  }
  for (const [name, source] of Object.entries(change.write ?? {})) {
    touch(name);
    next.set(name, source);
  }

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-stage-"));
  try {
    // Named like the real folder, so that errors read as `courses sync` would print them.
    const root = path.join(stage, path.basename(env().coursesDir));
    fs.mkdirSync(path.join(root, change.course), { recursive: true });
    for (const [name, source] of next)
      fs.writeFileSync(path.join(root, change.course, name), source);
    const checked = await checkStagedCourses(root);
    return { change, checked, expected, newFolder, renames };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** The folder changed on disk after the change was staged (a sync, git, another editor). */
export class FolderChanged extends Error {}

/**
 * Files written beside their targets, ready to be renamed into place by `commit()` (call it as
 * the last step inside the write transaction); `undo()` puts everything back if that write then
 * fails; `cleanup()` removes what is left over either way.
 */
export interface PreparedFiles {
  commit(): void;
  undo(): void;
  cleanup(): void;
}

const hidden = (name: string) => `.${name}.${crypto.randomBytes(6).toString("hex")}.tmp`;

function readNoFollow(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, NO_FOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

function archiveName(archive: string, name: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : name.replace(/\.mdx$/, `-${n}.mdx`);
    if (!lstatOrUndefined(path.join(archive, candidate))) return candidate;
  }
}

export function prepareFiles(staged: StagedChange): PreparedFiles {
  const { change } = staged;
  const folder = folderOf(change.course);
  // A new course is written whole into a hidden folder (which the sync ignores) and renamed.
  const target = staged.newFolder ? path.join(env().coursesDir, hidden(change.course)) : folder;
  if (staged.newFolder) fs.mkdirSync(target, { recursive: true });
  const temps = new Map<string, string>();
  for (const [name, source] of Object.entries(change.write ?? {})) {
    const temp = staged.newFolder ? path.join(target, name) : path.join(folder, hidden(name));
    fs.writeFileSync(temp, source, { flag: "wx" });
    temps.set(name, temp);
  }
  const undoSteps: (() => void)[] = [];
  let committed = false;

  const verify = () => {
    if (staged.newFolder) {
      if (lstatOrUndefined(folder)) throw new FolderChanged(`${change.course} exists already.`);
      return;
    }
    const stat = lstatOrUndefined(folder);
    if (!stat?.isDirectory()) throw new FolderChanged(`${change.course} is gone.`);
    for (const [name, source] of staged.expected) {
      if (readNoFollow(path.join(folder, name)) !== source) {
        throw new FolderChanged(`${change.course}/${name} changed`);
      }
    }
    const added = fs
      .readdirSync(folder)
      .find((name) => name.endsWith(".mdx") && !staged.expected.has(name));
    if (added) throw new FolderChanged(`${change.course}/${added} appeared`);
  };

  return {
    commit() {
      // A transaction that runs again (PostgreSQL, after losing a race) finds them in place.
      if (committed) return;
      verify();
      committed = true;
      if (staged.newFolder) {
        fs.renameSync(target, folder);
        undoSteps.push(() => fs.rmSync(folder, { recursive: true, force: true }));
        return;
      }
      for (const name of change.archive ?? []) {
        const archive = path.join(folder, ARCHIVE_FOLDER);
        const stat = lstatOrUndefined(archive);
        if (stat && !stat.isDirectory()) throw new FolderChanged(`${archive} is not a folder.`);
        if (!stat) fs.mkdirSync(archive);
        const moved = path.join(archive, archiveName(archive, name));
        fs.renameSync(path.join(folder, name), moved);
        undoSteps.push(() => fs.renameSync(moved, path.join(folder, name)));
      }
      for (const [from, to] of staged.renames) {
        fs.renameSync(path.join(folder, from), path.join(folder, to));
        undoSteps.push(() => fs.renameSync(path.join(folder, to), path.join(folder, from)));
      }
      for (const [name, temp] of temps) {
        const file = path.join(folder, name);
        const before = staged.expected.get(name) ?? null;
        fs.renameSync(temp, file);
        undoSteps.push(() => {
          if (before === null) fs.rmSync(file, { force: true });
          else {
            const back = path.join(folder, hidden(name));
            fs.writeFileSync(back, before);
            fs.renameSync(back, file);
          }
        });
      }
    },
    undo() {
      if (!committed) return;
      for (const step of undoSteps.reverse()) {
        try {
          step();
        } catch (error) {
          // The next `courses sync` publishes whatever the folder holds; say what was left.
          console.warn(`Could not undo a change in ${folder}: ${(error as Error).message}`);
        }
      }
    },
    cleanup() {
      if (staged.newFolder && !committed) fs.rmSync(target, { recursive: true, force: true });
      if (!staged.newFolder) for (const temp of temps.values()) fs.rmSync(temp, { force: true });
    },
  };
}

/**
 * Publishes a staged change that has no errors. `work` runs inside the write transaction: it
 * checks what the change was based on first (returning a refusal, with nothing written, when
 * someone else changed it meanwhile), then calls `publish()` — the same apply as `courses sync`
 * — and records drafts and audit entries. The files move into place after `work`, as the last
 * step before the commit; they are moved back if the commit fails. Throws FolderChanged when the
 * folder changed on disk after staging (nothing is then changed anywhere).
 */
export async function publishStaged<Refused, Done>(
  staged: StagedChange,
  actor: Actor,
  work: (publish: () => Promise<AppliedCourses>) => Promise<{ refused: Refused } | { done: Done }>,
): Promise<{ refused: Refused } | { done: Done }> {
  if (staged.checked.errors.length > 0) throw new Error("a change with errors cannot be published");
  const files = prepareFiles(staged);
  try {
    return await writeTransaction(async () => {
      const outcome = await work(() =>
        applyCheckedCourses(staged.checked, staged.checked.courses, actor, { wholeFolder: false }),
      );
      if ("done" in outcome) files.commit();
      return outcome;
    });
  } catch (error) {
    files.undo();
    throw error;
  } finally {
    files.cleanup();
  }
}
