/**
 * The last 30 days as an SVG bar chart: incidents and verified incidents per day, drawn with plain
 * SVG so it needs no chart library. The same figures are in a table for screen readers.
 */

import { barHeight, niceAxis } from '../chart-scale.ts';
import { svg } from '../dom.ts';

export interface DayFigures {
  date: string;
  incidents: number;
  verified: number;
}

const WIDTH = 900;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 12, bottom: 40, left: 40 };

export function dailyChart(
  days: readonly DayFigures[],
  options: { selected?: string; hrefFor: (date: string) => string },
): SVGSVGElement {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const axis = niceAxis(days.map((d) => d.incidents));
  const slot = days.length ? plotW / days.length : plotW;
  const barW = Math.max(2, slot * 0.38);
  const y = (v: number) => MARGIN.top + plotH - barHeight(v, axis.max, plotH);

  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `Incidents and verified incidents per day, ${days[0]?.date ?? ''} to ${days.at(-1)?.date ?? ''}`,
    'data-days': days.length,
  });
  for (const tick of axis.ticks) {
    chart.append(
      svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick), class: 'grid' }),
      svg('text', { x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'tick' }, String(tick)),
    );
  }
  days.forEach((d, i) => {
    const x = MARGIN.left + i * slot + (slot - 2 * barW) / 2;
    const link = svg('a', {
      href: options.hrefFor(d.date),
      class: d.date === options.selected ? 'day selected' : 'day',
    });
    link.append(
      svg('title', {}, `${d.date}: ${d.incidents} incidents, ${d.verified} verified`),
      svg('rect', { x: MARGIN.left + i * slot, y: MARGIN.top, width: slot, height: plotH, class: 'hit' }),
      svg('rect', {
        x,
        y: y(d.incidents),
        width: barW,
        height: barHeight(d.incidents, axis.max, plotH),
        class: 'bar incidents',
      }),
      svg('rect', {
        x: x + barW,
        y: y(d.verified),
        width: barW,
        height: barHeight(d.verified, axis.max, plotH),
        class: 'bar verified',
      }),
    );
    chart.append(link);
    // Label every fifth day and the last, so the axis stays legible.
    if (i % 5 === 0 || i === days.length - 1) {
      chart.append(
        svg(
          'text',
          {
            x: MARGIN.left + i * slot + slot / 2,
            y: HEIGHT - MARGIN.bottom + 16,
            'text-anchor': 'middle',
            class: 'tick',
          },
          d.date.slice(5),
        ),
      );
    }
  });
  chart.append(
    svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0), class: 'axis' }),
    svg('rect', { x: MARGIN.left, y: HEIGHT - 14, width: 10, height: 10, class: 'bar incidents' }),
    svg('text', { x: MARGIN.left + 14, y: HEIGHT - 5, class: 'tick' }, 'incidents'),
    svg('rect', { x: MARGIN.left + 90, y: HEIGHT - 14, width: 10, height: 10, class: 'bar verified' }),
    svg('text', { x: MARGIN.left + 104, y: HEIGHT - 5, class: 'tick' }, 'verified'),
  );
  return chart;
}
