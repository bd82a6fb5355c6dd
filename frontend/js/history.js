// Recent samples of the stats, from which the page derives the insert rate (rows per second
// between successive row counts) and the two chart series.

export const WINDOW_MS = 5 * 60 * 1000;
// Samples further apart than this (API unreachable) give no rate: the chart shows a gap.
export const GAP_MS = 10_000;
// The rate shown as a number is averaged over this span so it does not flicker.
const RATE_SPAN_MS = 10_000;

export function createHistory({ windowMs = WINDOW_MS } = {}) {
  let samples = [];

  function ratePoint(previous, current) {
    const seconds = (current.timeMs - previous.timeMs) / 1000;
    if (previous.rows === null || current.rows === null || seconds <= 0) return null;
    // A shrinking table (emptied by hand) is not negative ingest.
    return Math.max(0, current.rows - previous.rows) / seconds;
  }

  return {
    /** Records one /stats answer seen at client time `timeMs`. */
    add({ timeMs, rows, queue }) {
      samples.push({ timeMs, rows, queue });
      samples = samples.filter((sample) => sample.timeMs >= timeMs - windowMs);
    },

    /** Rows per second over the last few seconds, or null when it cannot be known yet. */
    currentRate() {
      const last = samples.at(-1);
      const first = last && samples.find((s) => s.timeMs >= last.timeMs - RATE_SPAN_MS && s.rows !== null);
      return first && first !== last ? ratePoint(first, last) : null;
    },

    /** Chart series: arrays of {timeMs, value}; value null means "no data here". */
    series() {
      return {
        rate: samples.slice(1).map((sample, index) => ({
          timeMs: sample.timeMs,
          value: sample.timeMs - samples[index].timeMs > GAP_MS ? null : ratePoint(samples[index], sample),
        })),
        queue: samples.map((sample) => ({ timeMs: sample.timeMs, value: sample.queue })),
      };
    },
  };
}
