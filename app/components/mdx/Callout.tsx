import type { ReactNode } from "react";

export type CalloutType = "tip" | "warning" | "info";

const LABELS: Record<CalloutType, string> = { tip: "Tip", warning: "Warning", info: "Note" };

export interface CalloutProps {
  type?: CalloutType;
  title?: string;
  children?: ReactNode;
}

/** A boxed aside: a tip, a warning or a note. */
export function Callout({ type = "info", title, children }: CalloutProps) {
  const kind: CalloutType = type in LABELS ? type : "info";
  return (
    <aside className={`callout callout--${kind}`} aria-label={title ?? LABELS[kind]}>
      <p className="callout__title">
        <span className="callout__kind">{LABELS[kind]}</span>
        {title ? <span className="callout__heading">{`: ${title}`}</span> : null}
      </p>
      <div className="callout__body">{children}</div>
    </aside>
  );
}
