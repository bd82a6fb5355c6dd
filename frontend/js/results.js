// The list of what this page sent and what the API answered, newest first. The list is an
// aria-live region, so each new line is read out politely.

const MAX_RESULTS = 8;

/** Adds one line: `ok` true shows a success, false an error; `text` is the whole message. */
export function addResult({ ok, text }) {
  const list = document.getElementById("results");
  const item = document.createElement("li");
  item.className = ok ? "result result-ok" : "result result-error";
  item.dataset.kind = ok ? "ok" : "error";
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  const label = document.createElement("span");
  label.className = "result-label";
  label.textContent = ok ? "Sent" : "Error";
  const message = document.createElement("span");
  message.className = "result-text";
  message.textContent = text;
  item.append(time, " ", label, " ", message);
  list.prepend(item);
  while (list.children.length > MAX_RESULTS) list.lastElementChild.remove();
  document.getElementById("results-empty").hidden = true;
}

/** The words for a failed send: the API's own message when it gave one. */
export function describeError(error) {
  if (error.name === "ApiError") {
    const retry = error.retryAfterSeconds !== undefined ? ` Try again in ${error.retryAfterSeconds} s.` : "";
    return `${error.message} (HTTP ${error.status}, ${error.code})${retry}`;
  }
  return error.message;
}
