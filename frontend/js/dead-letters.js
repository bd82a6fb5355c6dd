// Draws the dead-letter triage view: counts by kind and reason, and the newest records with a
// preview of each raw entry. Text only goes in through textContent: records hold whatever was queued.
import { formatCount } from "./format.js";

export const PREVIEW_LENGTH = 80;
const byId = (id) => document.getElementById(id);

/** The first PREVIEW_LENGTH characters of a raw entry, marked when cut. */
export function preview(raw) {
  return raw.length > PREVIEW_LENGTH ? `${raw.slice(0, PREVIEW_LENGTH)}…` : raw;
}

function row(cells) {
  const tr = document.createElement("tr");
  cells.forEach((text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    tr.append(cell);
  });
  return tr;
}

/** `summary` and `records` as /admin/dead-letters/summary and /admin/dead-letters answer them. */
export function renderDeadLetters(summary, records) {
  const kinds = Object.entries(summary.by_kind).map(([kind, count]) => `${formatCount(count)} ${kind}`);
  byId("dead-letters-total").textContent =
    `${formatCount(summary.total)} dead letters${kinds.length ? ` (${kinds.join(", ")})` : ""}; ` +
    `${formatCount(summary.evicted)} evicted so far (DEAD_LETTER_MAX).`;
  byId("dead-letters-reasons").tBodies[0].replaceChildren(
    ...summary.by_reason.map((reason) => row([formatCount(reason.count), reason.kind, reason.reason])),
  );
  byId("dead-letters-records").tBodies[0].replaceChildren(
    ...records.map((record) => row([
      record.ts === null ? "—" : new Date(record.ts).toLocaleString(),
      record.kind,
      record.id,
      preview(record.raw),
    ])),
  );
  byId("dead-letters-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}
