import type { ReactNode } from "react";

export interface AcknowledgeProps {
  children?: ReactNode;
}

/**
 * A statement the learner confirms they have read and accept. In a lesson this becomes an island
 * (a form, see components/lesson-body.tsx); this is the static version.
 */
export function Acknowledge({ children }: AcknowledgeProps) {
  return (
    <section className="acknowledge acknowledge--static" aria-label="Acknowledgement">
      <div className="acknowledge__statement">{children}</div>
    </section>
  );
}
