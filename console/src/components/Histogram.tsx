import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Schemas } from '../api/client';
import { centralDayStart, centralLabel } from '../lib/central';

type Stats = Schemas['EventStats'];
const HOUR = 3_600_000;

/** Buckets with no events are left out by the API; the chart shows them as zero. */
export function filledBuckets(stats: Stats): { start: number[]; success: number[]; failed: number[] } {
  const out = { start: [] as number[], success: [] as number[], failed: [] as number[] };
  const byStart = new Map(stats.buckets.map((b) => [b.start_ms, b]));
  const first = stats.buckets[0];
  const last = stats.buckets[stats.buckets.length - 1];
  if (!first || !last) return out;
  const next = (ms: number) => (stats.bucket === 'hour' ? ms + HOUR : centralDayStart(ms + 30 * HOUR));
  for (let t = first.start_ms; t <= last.start_ms && out.start.length < 20_000; t = next(t)) {
    const b = byStart.get(t);
    out.start.push(t / 1000);
    out.success.push(b?.success ?? 0);
    out.failed.push(b?.failed ?? 0);
  }
  return out;
}

/** The end of the bucket starting at `startMs` (exclusive). */
export const bucketEnd = (bucket: Stats['bucket'], startMs: number) =>
  bucket === 'hour' ? startMs + HOUR : centralDayStart(startMs + 30 * HOUR);

interface Props {
  stats: Stats;
  /** A bar was chosen: narrow the search to [startMs, endMs). */
  onPick: (startMs: number, endMs: number) => void;
}

/** Events over time, Success and Failed side by side (uPlot bars); clicking a bar narrows the range. */
export function Histogram({ stats, onPick }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data = filledBuckets(stats);
    const hourly = stats.bucket === 'hour';
    const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.45, 40], align, gap: 1 });
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 180,
        legend: { show: true },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false } },
        axes: [
          {
            values: (_u, ticks) => ticks.map((t) => centralLabel(t * 1000, hourly)),
            space: hourly ? 80 : 60,
          },
          { size: 50 },
        ],
        series: [
          {
            label: hourly ? 'Hour (Central)' : 'Day (Central)',
            value: (_u, v) => (v == null ? '' : centralLabel(v * 1000, hourly)),
          },
          { label: 'Success', fill: '#2f7d32', stroke: '#2f7d32', width: 0, paths: bars(-1), points: { show: false } },
          { label: 'Failed', fill: '#c62828', stroke: '#c62828', width: 0, paths: bars(1), points: { show: false } },
        ],
      },
      [data.start, data.success, data.failed],
      el,
    );
    const onClick = () => {
      const idx = plot.cursor.idx;
      const start = idx == null ? undefined : data.start[idx];
      if (start !== undefined) pick.current(start * 1000, bucketEnd(stats.bucket, start * 1000));
    };
    plot.over.addEventListener('click', onClick);
    plot.over.setAttribute('data-testid', 'histogram-plot');
    // Keyboard: Tab to the chart, arrows move between buckets, Enter narrows to the one shown.
    plot.over.tabIndex = 0;
    plot.over.setAttribute('role', 'button');
    plot.over.setAttribute('aria-label', 'Histogram: arrow keys choose a bucket, Enter narrows the range to it');
    let keyIdx = data.start.length - 1;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        keyIdx = Math.max(0, Math.min(data.start.length - 1, keyIdx + (e.key === 'ArrowLeft' ? -1 : 1)));
        const x = data.start[keyIdx];
        if (x !== undefined) plot.setCursor({ left: plot.valToPos(x, 'x'), top: plot.over.clientHeight / 2 });
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        const start = data.start[keyIdx];
        if (start !== undefined) pick.current(start * 1000, bucketEnd(stats.bucket, start * 1000));
      }
    };
    plot.over.addEventListener('keydown', onKey);
    const resize = () => plot.setSize({ width: Math.max(300, el.clientWidth), height: 180 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [stats]);

  return (
    <figure class="histogram">
      <figcaption>
        Events per {stats.bucket} (Central Time): {stats.total.toLocaleString('en-US')} (
        {stats.failed.toLocaleString('en-US')} failed). Click a bar to narrow the range.
      </figcaption>
      <div ref={host} />
    </figure>
  );
}
