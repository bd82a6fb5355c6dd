// The History panel: the counters the programs keep in Redis (GET /history), drawn for the chosen
// window as soon as the page opens, and refreshed while it stays open.
import { renderChart } from "./chart.js";
import { formatCount } from "./format.js";

const REFRESH_MS = 30_000;
const SPANS = { "1h": "1 hour", "24h": "24 hours", "7d": "7 days", "90d": "90 days" };
const byId = (id) => document.getElementById(id);

/** One chart series from an answer: `values[i]` belongs to the step starting at start_ms + i steps. */
export function historyPoints(answer, values) {
  const stepMs = answer.step_seconds * 1000;
  return values.map((value, index) => ({ timeMs: answer.start_ms + index * stepMs, value }));
}

/** Adds the series element by element (rejected + dead-lettered: the values that did not make it). */
export function sumSeries(...series) {
  return series[0].map((_, index) => series.reduce((total, values) => total + (values[index] ?? 0), 0));
}

function render(answer, window) {
  const stepMs = answer.step_seconds * 1000;
  const windowMs = answer.series.accepted.length * stepMs;
  const options = { nowMs: answer.start_ms + windowMs, windowMs, maxGapMs: stepMs * 1.5, format: formatCount, spanLabel: SPANS[window] };
  const per = answer.step_seconds === 60 ? "per minute" : answer.step_seconds === 86_400 ? "per day" : `per ${answer.step_seconds / 60} min`;
  const series = answer.series;
  renderChart(byId("chart-history-accepted"), historyPoints(answer, series.accepted), { ...options, title: `Accepted ${per}` });
  renderChart(byId("chart-history-inserted"), historyPoints(answer, series.inserted), { ...options, title: `Inserted ${per}` });
  renderChart(byId("chart-history-problems"), historyPoints(answer, sumSeries(series.rejected, series.dead_lettered)), {
    ...options,
    title: `Rejected or dead-lettered ${per}`,
  });
}

export function wireHistory(api) {
  let timer = null;
  const status = byId("history-status");

  async function load() {
    clearTimeout(timer);
    const window = document.querySelector('input[name="history-window"]:checked').value;
    try {
      const answer = await api.history(window);
      render(answer, window);
      const total = answer.series.accepted.reduce((sum, value) => sum + value, 0);
      status.textContent = `${formatCount(total)} accepted in the last ${SPANS[window]}`;
    } catch (error) {
      status.textContent = `History unavailable: ${error.message}`;
    }
    timer = setTimeout(load, REFRESH_MS);
  }

  document.querySelectorAll('input[name="history-window"]').forEach((input) => input.addEventListener("change", load));
  load();
}
