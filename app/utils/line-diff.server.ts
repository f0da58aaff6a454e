import { structuredPatch } from "diff";
import type { DiffHunk } from "~/components/source-diff";

/** The changes from `before` to `after`, line by line, with three lines of context around each. */
export function lineDiff(before: string, after: string): DiffHunk[] {
  const patch = structuredPatch("before", "after", before, after, "", "", { context: 3 });
  return patch.hunks.map((hunk) => {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    return {
      lines: hunk.lines
        .filter((line) => !line.startsWith("\\"))
        .map((line) => {
          const text = line.slice(1);
          if (line.startsWith("-")) return { kind: "removed" as const, old: oldLine++, text };
          if (line.startsWith("+")) return { kind: "added" as const, new: newLine++, text };
          return { kind: "same" as const, old: oldLine++, new: newLine++, text };
        }),
    };
  });
}
