import type { ReactNode } from "react";

export interface MondayActionProps {
  title?: string;
  children?: ReactNode;
}

/** "What to do differently on Monday": the practical take-away of a lesson. */
export function MondayAction({ title = "On Monday", children }: MondayActionProps) {
  return (
    <aside className="monday-action" aria-label="What to do differently on Monday">
      <p className="monday-action__label">What to do differently on Monday</p>
      <h3 className="monday-action__title">{title}</h3>
      <div className="monday-action__body">{children}</div>
    </aside>
  );
}
