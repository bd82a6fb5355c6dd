// A small line chart drawn as SVG paths. Labels live in HTML beside the SVG, so the drawing
// can stretch to any width while the text keeps its size and stays readable on a phone.

import { formatDuration } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 600; // drawing units; the SVG stretches to the figure's width
const HEIGHT = 120;

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
  return element;
}

/** Builds the figure's parts once: caption, frame with the SVG, and the time axis. */
function skeleton(figure, title) {
  if (figure.querySelector("svg")) return;
  figure.innerHTML = `
    <figcaption><span class="chart-title"></span> <span class="chart-summary"></span></figcaption>
    <div class="chart-frame">
      <span class="chart-max" aria-hidden="true"></span>
      <svg role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" focusable="false"></svg>
    </div>
    <div class="chart-axis" aria-hidden="true"><span></span><span>now</span></div>`;
  figure.querySelector(".chart-title").textContent = title;
}

/** Splits points into runs without nulls or time gaps, each run becomes one stroke. */
function runs(points, maxGapMs) {
  const result = [];
  let current = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (point.value === null || (previous && point.timeMs - previous.timeMs > maxGapMs)) {
      if (current.length) result.push(current);
      current = [];
    }
    if (point.value !== null) current.push(point);
  });
  if (current.length) result.push(current);
  return result;
}

/** Keeps a scale's top at a round number (1, 2, 5 × 10^n) so the label reads well. */
function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value);
}

/**
 * Draws `points` ({timeMs, value}) from nowMs - windowMs to nowMs into the <figure> `figure`.
 * `format` turns a value into text for the labels and the accessible summary; `spanLabel` names
 * the window in words where minutes would read badly ("24 hours").
 */
export function renderChart(figure, points, { nowMs, windowMs, maxGapMs, format, title, spanLabel }) {
  skeleton(figure, title);
  const span = spanLabel ?? formatDuration(windowMs);
  figure.querySelector(".chart-axis span").textContent = `${span} ago`;
  const svg = figure.querySelector("svg");
  const values = points.filter((point) => point.value !== null).map((point) => point.value);
  const top = niceMax(Math.max(0, ...values));
  const x = (timeMs) => ((timeMs - (nowMs - windowMs)) / windowMs) * WIDTH;
  const y = (value) => HEIGHT - (value / top) * (HEIGHT - 4);

  const shapes = [0.25, 0.5, 0.75].map((fraction) =>
    svgElement("line", { class: "chart-grid", x1: 0, x2: WIDTH, y1: HEIGHT * fraction, y2: HEIGHT * fraction }),
  );
  runs(points, maxGapMs).forEach((run) => {
    const line = run.map((p, i) => `${i ? "L" : "M"}${x(p.timeMs).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
    const first = x(run[0].timeMs).toFixed(1);
    const last = x(run.at(-1).timeMs).toFixed(1);
    shapes.push(svgElement("path", { class: "chart-area", d: `${line}L${last},${HEIGHT}L${first},${HEIGHT}Z` }));
    shapes.push(svgElement("path", { class: "chart-line", d: line, "vector-effect": "non-scaling-stroke" }));
  });
  svg.replaceChildren(...shapes);

  const latest = values.at(-1);
  const summary = values.length
    ? `now ${format(latest)}, peak ${format(Math.max(...values))}`
    : "collecting data…";
  figure.querySelector(".chart-summary").textContent = `(${summary})`;
  figure.querySelector(".chart-max").textContent = values.length ? format(top) : "";
  svg.setAttribute("aria-label", `${title} over the last ${span}: ${summary}`);
}
