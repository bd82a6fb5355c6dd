// Sends many values with a few requests in flight at once, reporting progress, and stops
// early when cancelled or when the API cannot be reached at all.

/**
 * Calls `send(i, signal)` for i = 1..total with at most `concurrency` calls running.
 * `onProgress({done, succeeded, failed, firstError})` runs after every call.
 * Resolves to the final progress plus `stopped`: null, "cancelled" or "unreachable".
 * When the API asks to slow down (Retry-After), every worker pauses that long.
 */
export async function runBurst({ total, concurrency = 4, send, onProgress, signal }) {
  const progress = { done: 0, succeeded: 0, failed: 0, firstError: null };
  let next = 1;
  let stopped = null;
  let pausedUntil = 0;

  // Waits `ms`, or less when the burst is cancelled meanwhile.
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
    });

  async function worker() {
    while (next <= total && !stopped) {
      if (signal.aborted) {
        stopped = "cancelled";
        break;
      }
      if (Date.now() < pausedUntil) {
        await pause(pausedUntil - Date.now());
        continue;
      }
      const index = next++;
      try {
        await send(index, signal);
        progress.succeeded += 1;
      } catch (error) {
        if (signal.aborted) {
          stopped = "cancelled";
          break;
        }
        progress.failed += 1;
        progress.firstError ??= error;
        if (error.name === "UnreachableError") stopped = "unreachable";
        if (error.retryAfterSeconds) pausedUntil = Date.now() + Math.min(error.retryAfterSeconds, 30) * 1000;
      }
      progress.done += 1;
      onProgress({ ...progress });
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { ...progress, stopped };
}
