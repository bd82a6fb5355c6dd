// Keeps the page's picture of the pipeline current: polls /stats on a steady beat while the
// API answers, backs off while it does not, and tells listeners about every change.
import { backoffDelay } from "./backoff.js";
import { createHistory } from "./history.js";

export const POLL_INTERVAL_MS = 2000;

/**
 * State given to listeners:
 *   phase: "loading" (no answer yet) | "live" | "unreachable" | "error" (API answered with an error)
 *   stats: the last /stats answer (kept while the API is away, so numbers stay visible)
 *   problem: the error of the last failed poll, or null
 *   retryAtMs: when the next attempt happens after a failure
 *   updatedAtMs: client time of the last good answer
 */
export function createPoller({ api, intervalMs = POLL_INTERVAL_MS, now = Date.now }) {
  const history = createHistory();
  const listeners = new Set();
  let state = { phase: "loading", stats: null, problem: null, retryAtMs: null, updatedAtMs: null, history };
  let failures = 0;
  let timer = null;
  let inFlight = false;
  let again = false;

  function publish(changes) {
    state = { ...state, ...changes };
    listeners.forEach((listener) => listener(state));
  }

  function schedule(delayMs) {
    clearTimeout(timer);
    timer = setTimeout(poll, delayMs);
  }

  async function poll() {
    if (inFlight) {
      again = true; // a refresh was asked for mid-request: poll once more right after
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    try {
      const stats = await api.stats({ timeout: 4000 });
      failures = 0;
      const timeMs = now();
      history.add({ timeMs, rows: stats.rows_count, queue: stats.queue_depth });
      publish({ phase: "live", stats, problem: null, retryAtMs: null, updatedAtMs: timeMs });
      schedule(intervalMs);
    } catch (error) {
      const delay = Math.max(backoffDelay(failures), (error.retryAfterSeconds ?? 0) * 1000);
      failures += 1;
      const phase = error.name === "ApiError" ? "error" : "unreachable";
      publish({ phase, problem: error, retryAtMs: now() + delay });
      schedule(delay);
    } finally {
      inFlight = false;
    }
    if (again) {
      again = false;
      poll();
    }
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      listener(state);
    },
    /** Polls right away: to start, after a send, or when a person presses "Retry now". */
    refresh: poll,
  };
}
