import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints, after the run, one row per fault (the top-level `describe` of each file is named
 * after it: "F1 …", "Headline …") with its script, its outcome and the figures its tests
 * recorded with `annotate(…, "figure")`.
 */
export default class FaultTableReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const rows: string[][] = [];
    for (const module of modules) {
      for (const suite of module.children.suites()) {
        const tests = [...suite.children.allTests()];
        const results = tests.map((t) => t.result());
        const failed = results.filter((r) => r.state === "failed").length;
        const passed = results.filter((r) => r.state === "passed").length;
        const notes = [
          ...new Set(results.map((r) => (r.state === "skipped" ? (r.note ?? "skipped") : ""))),
        ].filter(Boolean);
        const skipped = results.filter((r) => r.state === "skipped").length;
        const outcome =
          failed > 0 || !module.ok()
            ? `FAILED (${failed} of ${tests.length})`
            : passed === 0
              ? `not run (${notes.join("; ")})`
              : `passed ${passed}` +
                (skipped > 0 ? `, ${skipped} not run (${notes.join("; ")})` : "");
        const figures = tests.flatMap((t) =>
          t
            .annotations()
            .filter((a) => a.type === "figure")
            .map((a) => a.message),
        );
        rows.push([suite.name, module.relativeModuleId, outcome, figures.join("; ")]);
      }
    }
    rows.sort((a, b) => order(a[0]!) - order(b[0]!));
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
    const line = (r: string[]) =>
      [0, 1, 2].map((i) => r[i]!.padEnd(widths[i]!)).join("  ") + (r[3] ? `  ${r[3]}` : "");
    console.log(`\nFault tests\n${line(["Fault", "Script", "Result", "Figures"])}`);
    for (const row of rows) console.log(line(row));
  }
}

/** F1…F10 in number order, anything else after them. */
function order(name: string): number {
  const match = /^F(\d+)\b/.exec(name);
  return match ? Number(match[1]) : 100;
}
