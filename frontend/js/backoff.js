// Retry delays for an API that stopped answering: exponential, capped, with jitter so
// many open pages do not all knock at the same instant when the API comes back.

/** Delay in ms before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt, { baseMs = 1000, capMs = 15000, random = Math.random } = {}) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
