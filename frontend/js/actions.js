// What the three send controls do: send the current time, send a typed integer, send a burst.
// Every outcome lands in the results list; a success also asks for fresh numbers at once.
import { runBurst } from "./burst.js";
import { parseIntegerInput } from "./integer-input.js";
import { addResult, describeError } from "./results.js";

const MAX_BURST = 10_000;
const byId = (id) => document.getElementById(id);

function reportSent(response) {
  addResult({ ok: true, text: `${response.value} → id ${response.id}` });
}

/** Marks a field invalid (or valid again when `message` is empty). */
function setFieldError(input, errorElement, message) {
  errorElement.textContent = message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function wireSendNow(api, onSent) {
  byId("send-now").addEventListener("click", async () => {
    const unixSeconds = Math.floor(Date.now() / 1000);
    try {
      reportSent(await api.sendCount(String(unixSeconds)));
      onSent();
    } catch (error) {
      addResult({ ok: false, text: `${unixSeconds}: ${describeError(error)}` });
    }
  });
}

function wireCustom(api, onSent) {
  const input = byId("custom-value");
  const errorElement = byId("custom-error");
  input.addEventListener("input", () => setFieldError(input, errorElement, ""));
  byId("custom-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const parsed = parseIntegerInput(input.value);
    if (!parsed.ok) {
      setFieldError(input, errorElement, parsed.message);
      input.focus();
      return;
    }
    setFieldError(input, errorElement, "");
    try {
      reportSent(await api.sendCount(parsed.digits));
      onSent();
    } catch (error) {
      // Shown both beside the field and in the results, so it is seen wherever one looks.
      setFieldError(input, errorElement, describeError(error));
      addResult({ ok: false, text: `${parsed.digits}: ${describeError(error)}` });
    }
  });
}

function burstSummary(total, progress, stopped) {
  const parts = [`${progress.succeeded} of ${total} sent`];
  if (progress.failed) parts.push(`${progress.failed} failed`);
  if (stopped === "cancelled") parts.push("cancelled");
  if (stopped === "unreachable") parts.push("stopped: API unreachable");
  const first = progress.firstError ? `. First error: ${describeError(progress.firstError)}` : "";
  return parts.join(", ") + first;
}

function wireBurst(api, onSent) {
  const form = byId("burst-form");
  const sizeInput = byId("burst-size");
  const errorElement = byId("burst-error");
  const startButton = byId("burst-start");
  const cancelButton = byId("burst-cancel");
  const progressBar = byId("burst-progress");
  const status = byId("burst-status");
  let controller = null;

  cancelButton.addEventListener("click", () => controller?.abort());
  sizeInput.addEventListener("input", () => setFieldError(sizeInput, errorElement, ""));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const total = Number(sizeInput.value);
    if (!Number.isInteger(total) || total < 1 || total > MAX_BURST) {
      setFieldError(sizeInput, errorElement, `Choose a whole number from 1 to ${MAX_BURST.toLocaleString()}.`);
      sizeInput.focus();
      return;
    }
    controller = new AbortController();
    startButton.disabled = true;
    cancelButton.disabled = false;
    progressBar.hidden = false;
    progressBar.max = total;
    progressBar.value = 0;
    status.dataset.state = "running";
    status.textContent = `Sending ${total}…`;
    let lastRefresh = 0;
    const result = await runBurst({
      total,
      signal: controller.signal,
      send: (index, signal) => api.sendCount(String(index), { signal }),
      onProgress: (progress) => {
        progressBar.value = progress.done;
        status.textContent = burstSummary(total, progress, null);
        // Let the numbers move during a long burst, at most once a second.
        if (Date.now() - lastRefresh > 1000) {
          lastRefresh = Date.now();
          onSent();
        }
      },
    });
    status.dataset.state = result.stopped ?? (result.failed ? "failed" : "done");
    status.textContent = burstSummary(total, result, result.stopped);
    addResult({ ok: result.failed === 0 && !result.stopped, text: `Burst: ${status.textContent}` });
    onSent();
    startButton.disabled = false;
    cancelButton.disabled = true;
    // Focus was on Cancel, which is now disabled: hand it back to the start button.
    if (document.activeElement === cancelButton || document.activeElement === document.body) startButton.focus();
    controller = null;
  });
}

/** Connects the send controls to `api`; `onSent` runs after values were accepted. */
export function wireActions(api, onSent) {
  wireSendNow(api, onSent);
  wireCustom(api, onSent);
  wireBurst(api, onSent);
}
