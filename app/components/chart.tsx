import { AxisBottom } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";

export interface BarDatum {
  label: string;
  /** Whole per cent, or null when nothing is assigned. */
  percent: number | null;
  done: number;
  of: number;
}

const ROW = 40;
const LABEL_WIDTH = 190;
const BAR_WIDTH = 210;
const VALUE_WIDTH = 150;
const AXIS_HEIGHT = 26;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;

const LABEL_CHARS = 22;

/** Up to two lines of whole words; measured in characters so server and browser agree. */
function labelLines(label: string): string[] {
  const lines: string[] = [];
  for (const word of label.split(/\s+/)) {
    const last = lines.length - 1;
    if (last >= 0 && `${lines[last]} ${word}`.length <= LABEL_CHARS) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  if (lines.length <= 2) return lines;
  const second = lines.slice(1).join(" ");
  return [lines[0]!, second.length > LABEL_CHARS ? `${second.slice(0, LABEL_CHARS - 1)}…` : second];
}

/**
 * A horizontal bar chart (visx scales and shapes) rendered to SVG on the server: it needs no
 * client script, and every bar carries its label and value as text, so it reads without colour
 * (and in a screen reader, through its description).
 */
export function BarChart({ title, data, id }: { title: string; data: BarDatum[]; id: string }) {
  const plotHeight = Math.max(1, data.length) * ROW;
  const y = scaleBand({ domain: data.map((d) => d.label), range: [0, plotHeight], padding: 0.3 });
  const x = scaleLinear({ domain: [0, 100], range: [0, BAR_WIDTH] });
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${plotHeight + AXIS_HEIGHT}`}
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
        <Group left={LABEL_WIDTH} aria-hidden="true">
          {x.ticks(2).map((tick) => (
            <line
              key={tick}
              x1={x(tick)}
              x2={x(tick)}
              y1={0}
              y2={plotHeight}
              className="chart__grid"
            />
          ))}
          {data.map((d) => {
            const top = y(d.label) ?? 0;
            const middle = top + y.bandwidth() / 2;
            return (
              <g key={d.label}>
                <text x={-10} y={middle} textAnchor="end" className="chart__label">
                  {labelLines(d.label).map((line, i, lines) => (
                    <tspan
                      key={i}
                      x={-10}
                      dy={i === 0 ? `${0.35 - (lines.length - 1) * 0.55}em` : "1.1em"}
                    >
                      {line}
                    </tspan>
                  ))}
                </text>
                <Bar
                  x={0}
                  y={top}
                  width={BAR_WIDTH}
                  height={y.bandwidth()}
                  className="chart__track"
                />
                <Bar
                  x={0}
                  y={top}
                  width={x(d.percent ?? 0)}
                  height={y.bandwidth()}
                  className="chart__bar"
                />
                <text
                  x={BAR_WIDTH + 10}
                  y={middle}
                  dominantBaseline="middle"
                  className="chart__value"
                >
                  {d.percent === null ? "—" : `${d.percent}%`}
                  <tspan className="chart__detail">
                    {" "}
                    ({d.done} of {d.of})
                  </tspan>
                </text>
              </g>
            );
          })}
          <AxisBottom
            top={plotHeight}
            scale={x}
            tickValues={[0, 50, 100]}
            tickFormat={(value) => `${Number(value)}%`}
            hideAxisLine
            hideTicks
            tickLabelProps={{ fontSize: 13, className: "chart__tick" }}
          />
        </Group>
      </svg>
    </figure>
  );
}
