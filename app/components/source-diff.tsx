/** A line of a diff: removed (old line number), added (new line number), or unchanged (both). */
export interface DiffLine {
  kind: "removed" | "added" | "same";
  old?: number;
  new?: number;
  text: string;
}

/** A run of changed lines with a little unchanged context around it. */
export interface DiffHunk {
  lines: DiffLine[];
}

const SIGN = { removed: "−", added: "+", same: " " } as const;
const SPOKEN = { removed: "removed", added: "added", same: "unchanged" } as const;

/**
 * Two versions of a lesson's source, line by line: removed lines struck through, added ones
 * marked, with their line numbers; said in words as well as colour.
 */
export function SourceDiff({
  hunks,
  label,
  beforeLabel,
  afterLabel,
}: {
  hunks: DiffHunk[];
  label: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  if (hunks.length === 0) return <p className="muted">No differences.</p>;
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="source-diff">
        <thead>
          <tr>
            <th scope="col">{beforeLabel}</th>
            <th scope="col">{afterLabel}</th>
            <th scope="col">Change</th>
            <th scope="col">Line</th>
          </tr>
        </thead>
        {hunks.map((hunk, h) => (
          <tbody key={h} className="source-diff__hunk">
            {hunk.lines.map((line, i) => (
              <tr key={i} className={`source-diff__${line.kind}`}>
                <td className="source-diff__number">{line.old ?? ""}</td>
                <td className="source-diff__number">{line.new ?? ""}</td>
                <td className="source-diff__sign">
                  <span aria-hidden="true">{SIGN[line.kind]}</span>
                  <span className="visually-hidden">{SPOKEN[line.kind]}</span>
                </td>
                <td className="source-diff__text">
                  {line.kind === "removed" ? (
                    <del>{line.text}</del>
                  ) : line.kind === "added" ? (
                    <ins>{line.text}</ins>
                  ) : (
                    line.text
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
