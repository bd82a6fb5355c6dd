// The banner above the page: the API is unreachable, answered with an error, cannot reach
// Redis or the database, the queue is paused, or a consumer's batch is stuck. It is a
// role="alert" region, so what it says is announced.
import { formatClock, formatDuration } from "./format.js";

const byId = (id) => document.getElementById(id);

/** Which sources the API said are down, as words for the banner. */
function unavailableSources(stats) {
  const names = { redis: "Redis (queue numbers)", database: "the database (row count, latest value, lag)" };
  return Object.keys(names).filter((key) => stats?.sources?.[key] === "unavailable").map((key) => names[key]);
}

/** Who is stuck and for how long, in whole minutes: the alert's words then change at most once a minute. */
function stuckDetail(stats) {
  const who = stats.stuck_batches === 1 ? "A consumer's batch has" : `${stats.stuck_batches} consumers' batches have`;
  const minutes = Math.floor((stats.stuck_for_ms ?? 0) / 60_000);
  const since = minutes >= 1 ? ` for ${formatDuration(minutes * 60_000)}` : "";
  return `${who} kept failing${since}; new values wait in the queue. The Consumer's /ready and its log say why.`;
}

/** The banner's words for `state`, or null when all is well. */
function bannerMessage(state) {
  if (state.phase === "unreachable") {
    const since = state.updatedAtMs ? formatClock(state.updatedAtMs) : "before the page loaded";
    const detail = `${state.problem.message} Retrying by itself; the numbers below are from ${since}.`;
    return ["The API is unreachable.", detail];
  }
  if (state.phase === "error") {
    return ["The API answered with an error.", `${state.problem.message} Retrying by itself.`];
  }
  const down = unavailableSources(state.stats);
  if (down.length) {
    const detail = `The API cannot reach ${down.join(" or ")}; those numbers are missing until it is back.`;
    return ["Part of the pipeline is unavailable.", detail];
  }
  if (state.stats?.paused) {
    return [
      "The queue is paused.",
      "Consumers take no new batch until an operator resumes them; new values wait in the queue up to its high-water mark.",
    ];
  }
  if (state.stats?.stuck_batches > 0) {
    return ["Values are not reaching the database.", stuckDetail(state.stats)];
  }
  return null;
}

/** Shows, updates or clears the banner; `onRetry` is what its "Retry now" button does. */
export function renderBanner(state, onRetry) {
  const banner = byId("banner");
  const message = bannerMessage(state);
  banner.dataset.kind = state.phase;
  if (!message) {
    banner.replaceChildren();
    return;
  }
  const text = message.join(" ");
  // Rebuild only when the words change, so screen readers do not hear the same alert again.
  if (banner.querySelector(".banner-text")?.textContent !== text) {
    const paragraph = document.createElement("p");
    paragraph.className = "banner-text";
    const strong = document.createElement("strong");
    strong.textContent = message[0];
    paragraph.append(strong, " ", message[1]);
    const next = document.createElement("p");
    next.className = "banner-next";
    next.setAttribute("aria-hidden", "true"); // changes on every attempt: seen, not announced
    banner.replaceChildren(paragraph, next);
    if (state.phase !== "live") {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "Retry now";
      retry.addEventListener("click", onRetry);
      banner.append(retry);
    }
  }
  const next = state.retryAtMs ? `Next attempt at ${formatClock(state.retryAtMs)}.` : "";
  banner.querySelector(".banner-next").textContent = next;
}
