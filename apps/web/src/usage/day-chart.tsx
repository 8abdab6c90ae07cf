import { For, Show } from 'solid-js';
import { DEFAULT_BOX, layoutDayBars, type DayUsage } from './day-bars';
import { formatCost, formatTokens, formatTokensShort } from './usage-format';
import { formatDayName } from './usage-month';

/** "Nov 2: 1,801 tokens (1,234 prompt, 567 completion), $0.0123" — each bar's accessible name and tooltip. */
export function describeDay(bar: DayUsage & { total: number }): string {
  return `${formatDayName(bar.key)}: ${formatTokens(bar.total)} tokens (${formatTokens(bar.promptTokens)} prompt, ${formatTokens(bar.completionTokens)} completion), ${formatCost(bar.cost)}`;
}

/**
 * Tokens per day as stacked SVG bars (prompt below, completion above), the number above each bar
 * and the day under it. Every bar with usage is an image with its full numbers as its name (and a
 * tooltip); empty days are only drawn.
 */
export function DayChart(props: { days: string[]; rows: DayUsage[]; label: string }) {
  const box = DEFAULT_BOX;
  const bars = () => layoutDayBars(props.days, props.rows, box);
  const baseline = box.height - box.bottom;
  return (
    <figure class="usage-chart">
      <div class="usage-chart-scroll">
        <svg
          class="usage-chart-svg"
          viewBox={`0 0 ${box.width} ${box.height}`}
          role="group"
          aria-label={props.label}
          preserveAspectRatio="xMidYMid meet"
        >
          <line class="usage-axis" x1="0" x2={box.width} y1={baseline} y2={baseline} />
          <For each={bars()}>
            {(bar) => (
              <g>
                <Show when={bar.total > 0}>
                  <g role="img" aria-label={describeDay(bar)} class="usage-bar">
                    <title>{describeDay(bar)}</title>
                    <rect
                      class="usage-bar-prompt"
                      x={bar.x}
                      y={bar.prompt.y}
                      width={bar.width}
                      height={bar.prompt.height}
                    />
                    <rect
                      class="usage-bar-completion"
                      x={bar.x}
                      y={bar.completion.y}
                      width={bar.width}
                      height={bar.completion.height}
                    />
                    <text class="usage-bar-value" x={bar.x + bar.width / 2} y={bar.labelY} text-anchor="middle">
                      {formatTokensShort(bar.total)}
                    </text>
                  </g>
                </Show>
                <text
                  class="usage-day"
                  x={bar.x + bar.width / 2}
                  y={box.height - 6}
                  text-anchor="middle"
                  aria-hidden="true"
                >
                  {bar.day}
                </text>
              </g>
            )}
          </For>
        </svg>
      </div>
      <figcaption class="usage-legend">
        <span class="usage-swatch usage-swatch-prompt" aria-hidden="true" /> Prompt tokens
        <span class="usage-swatch usage-swatch-completion" aria-hidden="true" /> Completion tokens
      </figcaption>
    </figure>
  );
}
