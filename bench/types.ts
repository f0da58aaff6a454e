/** One figure from a bench module's `run()`; `npm run bench` prints it against its budget. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The DESIGN budget; without one the figure is informational. */
  budget?: number;
  /** "lower" (default): the value must be at most the budget; "higher": at least. */
  better?: "lower" | "higher";
}
