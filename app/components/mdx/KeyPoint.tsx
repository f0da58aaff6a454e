import type { ReactNode } from "react";

export interface KeyPointProps {
  children?: ReactNode;
}

/** One idea the learner should remember. */
export function KeyPoint({ children }: KeyPointProps) {
  return (
    <aside className="key-point" aria-label="Key point">
      <p className="key-point__label">Key point</p>
      <div className="key-point__body">{children}</div>
    </aside>
  );
}
