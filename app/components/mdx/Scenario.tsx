import type { ReactNode } from "react";

export interface ScenarioProps {
  title: string;
  children?: ReactNode;
}

/** A short story from work that the lesson then unpacks. */
export function Scenario({ title, children }: ScenarioProps) {
  return (
    <section className="scenario" aria-label={`Scenario: ${title}`}>
      <header className="scenario__header">
        <p className="scenario__eyebrow">Scenario</p>
        <h3 className="scenario__title">{title}</h3>
      </header>
      <div className="scenario__body">{children}</div>
    </section>
  );
}
