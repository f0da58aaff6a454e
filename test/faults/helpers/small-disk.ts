import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type SmallDisk = { dir: string; unmount: () => void } | { unavailable: string };

/** A tmpfs of `megabytes` on a fresh directory (needs root); or why there is none. */
export function mountSmallDisk(megabytes: number): SmallDisk {
  if (process.getuid?.() !== 0) {
    return { unavailable: "not root: mounting a small filesystem needs root, so F3 cannot run" };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-small-disk-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${megabytes}m`, "tmpfs", dir], {
    encoding: "utf8",
  });
  if (mount.status !== 0) {
    fs.rmdirSync(dir);
    return {
      unavailable: `mount -t tmpfs failed: ${(mount.stderr || mount.error?.message) ?? ""}`,
    };
  }
  return {
    dir,
    unmount: () => {
      spawnSync("umount", [dir]);
      fs.rmdirSync(dir);
    },
  };
}

/** Fills the filesystem holding `dir` with one file until it has no byte left; `free()` undoes it. */
export function fillDisk(dir: string) {
  const filler = path.join(dir, "filler.bin");
  const fd = fs.openSync(filler, "w");
  for (const size of [1024 * 1024, 4096, 1]) {
    const chunk = Buffer.alloc(size, 0xaa);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    }
  }
  fs.closeSync(fd);
  return { bytes: fs.statSync(filler).size, free: () => fs.rmSync(filler) };
}
