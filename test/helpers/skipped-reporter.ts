import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints, after the run, every test that was skipped with a reason (`ctx.skip(condition,
 * reason)`): the tests that belong to the other database engine say so in every run.
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const lines: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "skipped" && result.note) {
          lines.push(`  ${module.relativeModuleId} > ${test.name}\n    (${result.note})`);
        }
      }
    }
    if (lines.length > 0) console.log(`\nSkipped on this engine, and why:\n${lines.join("\n")}`);
  }
}
