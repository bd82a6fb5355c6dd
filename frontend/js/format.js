// Turns API numbers into short text for people. Missing numbers (their source is down)
// read as an em dash rather than a misleading zero.

export const MISSING = "—";
const grouped = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Counts such as rows or queue depth, with digit grouping. */
export function formatCount(value) {
  return value === null || value === undefined ? MISSING : grouped.format(value);
}

/** Stored values exactly as the API sent them (digit strings beyond 2^53 stay exact). */
export function formatValue(value) {
  return value === null || value === undefined ? MISSING : String(value);
}

export function formatRate(rowsPerSecond) {
  if (rowsPerSecond === null || rowsPerSecond === undefined) return MISSING;
  return `${rowsPerSecond < 10 ? oneDecimal.format(rowsPerSecond) : grouped.format(rowsPerSecond)} rows/s`;
}

/** Durations: "850 ms", "4.2 s", "3 min 5 s", "5 min". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return MISSING;
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${oneDecimal.format(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  return seconds % 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds / 60} min`;
}

export function formatClock(timeMs) {
  return new Date(timeMs).toLocaleTimeString();
}
