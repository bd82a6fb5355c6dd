// Run in the page by test_accessibility.py: lists visible text whose contrast with the background
// behind it is under WCAG AA (4.5:1; 3:1 for large text). Disabled controls are exempt, as in WCAG.
const parse = (color) => {
  const [r, g, b, a = 1] = color.match(/[\d.]+/g).map(Number);
  return { r, g, b, a };
};
const blend = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
const luminance = ({ r, g, b }) => {
  const channel = (value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
};
// The colour behind an element: its own and its ancestors' backgrounds, blended down to the canvas.
const backgroundOf = (element) => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const color = parse(getComputedStyle(node).backgroundColor);
    if (color.a > 0) layers.push(color);
    if (color.a === 1) break;
  }
  return layers.reverse().reduce((under, layer) => blend(layer, under), { r: 255, g: 255, b: 255, a: 1 });
};
const failures = [];
for (const element of document.body.querySelectorAll("*")) {
  const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  if (!ownText || !element.checkVisibility() || element.closest(":disabled")) continue;
  const style = getComputedStyle(element);
  const background = backgroundOf(element);
  const foreground = blend(parse(style.color), background);
  const [light, dark] = [luminance(foreground), luminance(background)].sort((x, y) => y - x);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    failures.push(`${element.tagName.toLowerCase()}#${element.id} "${element.textContent.trim().slice(0, 40)}": ${ratio.toFixed(2)}`);
  }
}
return failures;
