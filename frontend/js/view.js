// Shows the poller's state: the numbers, the connection line, the banner and the charts.
import { renderBanner } from "./banner.js";
import { renderChart } from "./chart.js";
import { MISSING, formatClock, formatCount, formatDuration, formatRate, formatValue } from "./format.js";
import { GAP_MS, WINDOW_MS } from "./history.js";

const byId = (id) => document.getElementById(id);
const MIN_CHART_SPAN_MS = 60_000;

function setStat(id, text, rawValue) {
  const element = byId(id);
  element.textContent = text;
  // Tests and scripts read the raw number; people read the formatted text.
  if (rawValue === null || rawValue === undefined) delete element.dataset.value;
  else element.dataset.value = String(rawValue);
}

function renderNumbers(stats, rate) {
  setStat("stat-rows", formatCount(stats.rows_count), stats.rows_count);
  const empty = stats.latest_value === null && stats.rows_count === 0;
  setStat("stat-latest", empty ? "none yet" : formatValue(stats.latest_value), stats.latest_value);
  const insertedAt = stats.latest_inserted_at_ms ?? null;
  const sinceInsert = insertedAt === null ? MISSING : `${formatDuration(stats.server_time_ms - insertedAt)} ago`;
  setStat("stat-last-insert", sinceInsert, insertedAt);
  setStat("stat-rate", formatRate(rate), rate);
  setStat("stat-lag", formatDuration(stats.latest_lag_ms), stats.latest_lag_ms);
  setStat("stat-queue", formatCount(stats.queue_depth), stats.queue_depth);
  setStat("stat-processing", formatCount(stats.processing_depth), stats.processing_depth);
  setStat("stat-dead", formatCount(stats.dead_letter_depth), stats.dead_letter_depth);
  setStat("stat-consumers", formatCount(stats.consumers), stats.consumers);
  byId("stats").setAttribute("aria-busy", "false");
  byId("empty-note").hidden = stats.rows_count !== 0;
  byId("hostname").textContent = stats.hostname ?? "unknown";
  for (const source of ["redis", "database"]) {
    const status = stats.sources?.[source] ?? "unknown";
    const pill = byId(`source-${source}`);
    pill.textContent = status;
    pill.dataset.state = status;
  }
}

function renderConnection(state) {
  const line = byId("connection");
  line.dataset.state = state.phase;
  line.textContent = {
    loading: "Connecting…",
    live: "Live",
    unreachable: "Offline, retrying",
    error: "API error, retrying",
  }[state.phase];
}

function renderCharts(history) {
  const { rate, queue } = history.series();
  const nowMs = Date.now();
  // Until five minutes have been seen, the charts span what there is (at least a minute),
  // so a freshly opened page shows a readable line instead of a sliver at the right edge.
  const seenMs = nowMs - (queue[0]?.timeMs ?? nowMs);
  const windowMs = Math.min(WINDOW_MS, Math.max(MIN_CHART_SPAN_MS, seenMs));
  const options = { nowMs, windowMs, maxGapMs: GAP_MS };
  renderChart(byId("chart-rate"), rate, { ...options, title: "Ingest rate", format: formatRate });
  renderChart(byId("chart-queue"), queue, { ...options, title: "Queue depth", format: formatCount });
}

/** Renders `state` into the page; `onRetry` is what "Retry now" does. */
export function renderState(state, { onRetry }) {
  renderConnection(state);
  renderBanner(state, onRetry);
  if (state.stats) renderNumbers(state.stats, state.history.currentRate());
  if (state.updatedAtMs) byId("updated").textContent = `updated ${formatClock(state.updatedAtMs)}`;
  renderCharts(state.history);
}
