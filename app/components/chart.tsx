export interface BarDatum {
  label: string;
  /** Whole per cent, or null when nothing is assigned. */
  percent: number | null;
  done: number;
  of: number;
}

const ROW = 34;
const LABEL_WIDTH = 200;
const BAR_WIDTH = 200;
const VALUE_WIDTH = 150;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;

/**
 * A horizontal bar chart drawn as SVG on the server: no client script, and every bar carries its
 * label and value as text, so it reads without colour (and in a screen reader, as a list).
 */
export function BarChart({ title, data, id }: { title: string; data: BarDatum[]; id: string }) {
  const height = Math.max(1, data.length) * ROW + 24;
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="chart__svg"
      >
        <desc id={`${id}-desc`}>
          {data
            .map((d) => `${d.label}: ${d.percent === null ? "nothing assigned" : `${d.percent}%`}`)
            .join("; ")}
        </desc>
        {[0, 50, 100].map((tick) => (
          <g key={tick} aria-hidden="true">
            <line
              x1={LABEL_WIDTH + (BAR_WIDTH * tick) / 100}
              x2={LABEL_WIDTH + (BAR_WIDTH * tick) / 100}
              y1={0}
              y2={height - 20}
              className="chart__grid"
            />
            <text
              x={LABEL_WIDTH + (BAR_WIDTH * tick) / 100}
              y={height - 6}
              textAnchor="middle"
              className="chart__tick"
            >
              {tick}%
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const y = i * ROW + 6;
          const width = ((d.percent ?? 0) / 100) * BAR_WIDTH;
          return (
            <g key={d.label} aria-hidden="true">
              <title>{d.label}</title>
              <text x={LABEL_WIDTH - 10} y={y + 17} textAnchor="end" className="chart__label">
                {d.label.length > 22 ? `${d.label.slice(0, 21)}…` : d.label}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y}
                width={BAR_WIDTH}
                height={ROW - 12}
                className="chart__track"
              />
              <rect x={LABEL_WIDTH} y={y} width={width} height={ROW - 12} className="chart__bar" />
              <text x={LABEL_WIDTH + BAR_WIDTH + 10} y={y + 17} className="chart__value">
                {d.percent === null ? "—" : `${d.percent}%`}
                <tspan className="chart__detail">
                  {" "}
                  ({d.done} of {d.of})
                </tspan>
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
