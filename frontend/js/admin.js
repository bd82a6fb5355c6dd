// The operator's part of the page, unlocked by the admin token: the dead-letter view, and replay,
// purge, pause and resume, each asked for once more (with how many it will touch) before it runs.
// The token lives in sessionStorage only: it is gone when the tab closes.
import { renderDeadLetters } from "./dead-letters.js";
import { describeError } from "./results.js";

export const TOKEN_KEY = "count-pipeline-admin-token";
const REFRESH_MS = 10_000;
const byId = (id) => document.getElementById(id);

/** The request body that picks what the selector names: {"all": true} or {"kind": K}. */
export function selectorBody(value) {
  return value === "all" ? { all: true } : { kind: value };
}

export function wireAdmin(api, onChanged) {
  let token = sessionStorage.getItem(TOKEN_KEY);
  let timer = null;
  let pending = null;
  const result = byId("admin-result");
  const input = byId("admin-token");
  const error = byId("admin-token-error");

  function lock(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(timer);
    byId("admin-panel").hidden = true;
    byId("admin-token-form").hidden = false;
    error.textContent = message;
    if (message) input.setAttribute("aria-invalid", "true");
  }

  /** Why an admin call failed, in the operator's words; a refused or unknown token locks the panel. */
  function explain(failure) {
    if (failure.status === 401) lock("The API refused this token. Check ADMIN_TOKEN and enter it again.");
    if (failure.status === 404) lock("This server has no admin routes: ADMIN_TOKEN is not set on the Producer.");
    return describeError(failure);
  }

  async function refresh() {
    clearTimeout(timer);
    if (!token) return;
    try {
      const [summary, newest] = await Promise.all([
        api.admin("GET", "/dead-letters/summary", token),
        api.admin("GET", "/dead-letters?limit=10", token),
      ]);
      renderDeadLetters(summary, newest.records);
    } catch (failure) {
      result.textContent = `Could not read the dead letters: ${explain(failure)}`;
    }
    if (token) timer = setTimeout(refresh, REFRESH_MS);
  }

  function unlock() {
    byId("admin-token-form").hidden = true;
    byId("admin-panel").hidden = false;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    refresh();
  }

  /** Shows the confirmation for `action` ({text, run}) and moves focus to its Confirm button. */
  function ask(action) {
    pending = action;
    byId("admin-confirm-text").textContent = action.text;
    byId("admin-confirm").hidden = false;
    byId("admin-confirm-yes").focus();
  }

  function closeConfirmation(focusId) {
    pending = null;
    byId("admin-confirm").hidden = true;
    byId(focusId)?.focus();
  }

  /** Replay or purge: a dry run first says how many records the action will touch. */
  async function askAbout(verb) {
    const selector = byId("admin-selector");
    const body = selectorBody(selector.value);
    const label = selector.selectedOptions[0].textContent;
    try {
      const dryRun = await api.admin("POST", "/dead-letters/replay", token, { ...body, dry_run: true });
      if (dryRun.count === 0) {
        result.textContent = `No dead letters match (${label}); nothing to ${verb}.`;
        return;
      }
      const what = `${dryRun.count} dead letter${dryRun.count === 1 ? "" : "s"} (${label})`;
      ask(verb === "replay"
        ? { text: `Replay ${what} onto the queue?`, from: "admin-replay", run: () => api.admin("POST", "/dead-letters/replay", token, body) }
        : { text: `Delete ${what} for good?`, from: "admin-purge", run: () => api.admin("POST", "/dead-letters/purge", token, { ...body, yes: true }) });
    } catch (failure) {
      result.textContent = `Could not count the dead letters: ${explain(failure)}`;
    }
  }

  function describeOutcome(answer) {
    if (answer.action) return `${answer.action === "replay" ? "Replayed" : "Purged"} ${answer.count} dead letter${answer.count === 1 ? "" : "s"}.`;
    if (!answer.changed) return answer.state === "paused" ? "The queue was paused already." : "The queue was not paused.";
    return answer.state === "paused"
      ? "Paused: Consumers take no new batch from their next poll on."
      : "Resumed: Consumers take batches again.";
  }

  byId("admin-token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) {
      error.textContent = "Enter the admin token.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    token = value;
    input.value = "";
    sessionStorage.setItem(TOKEN_KEY, token);
    unlock();
    byId("admin-forget").focus();
  });
  byId("admin-forget").addEventListener("click", () => {
    lock("");
    input.focus();
  });
  byId("admin-replay").addEventListener("click", () => askAbout("replay"));
  byId("admin-purge").addEventListener("click", () => askAbout("purge"));
  byId("admin-pause").addEventListener("click", () =>
    ask({ text: "Pause the Consumers? Values keep queueing until you resume.", from: "admin-pause", run: () => api.admin("POST", "/queue/pause", token) }));
  byId("admin-resume").addEventListener("click", () =>
    ask({ text: "Resume the Consumers?", from: "admin-resume", run: () => api.admin("POST", "/queue/resume", token) }));
  byId("admin-confirm-no").addEventListener("click", () => {
    const from = pending?.from;
    closeConfirmation(from);
    result.textContent = "Cancelled; nothing was changed.";
  });
  byId("admin-confirm-yes").addEventListener("click", async () => {
    const action = pending;
    closeConfirmation(action.from);
    try {
      result.textContent = describeOutcome(await action.run());
      onChanged();
    } catch (failure) {
      result.textContent = `Failed: ${explain(failure)}`;
    }
    refresh();
  });

  if (token) unlock();
}
