/** One figure from a bench module's `run()`; `npm run bench` prints it against its budget. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The DESIGN budget; without one the figure is informational. */
  budget?: number;
  /** "lower" (default): the value must be at most the budget; "higher": at least. */
  better?: "lower" | "higher";
  /** Which DESIGN budget the figure belongs to (P1…P6), if any. */
  id?: string;
  /** What the figure is made of (the two rates behind a ratio, percentiles…). */
  detail?: string;
}
