// Teaching widget: the Shapley values as bars, efficiency and the game's InterSHAP.

import { svg, html, attr, tooltip } from "./dom.js";
import { linear, fmt, pct } from "./scales.js";
import { measurer, labelWidth, setLabel } from "./labels.js";

const ROW = 24;
const FONT = 13; // px, the player names
const MAX_LABEL = 160; // px; longer names are truncated with an ellipsis (full name in the tooltip)
const WIDTH = 180;

/** @param {HTMLElement} parent @param {any} ctx */
export function createGameShapley(parent, ctx) {
  const { m, names, store } = ctx;
  const box = html("div", { class: "isw-panel isw-game-shapley" }, parent);
  html("div", { class: "isw-title", text: "Shapley values φᵢ" }, box);
  const measure = measurer(box, FONT);
  const LABEL = Math.max(50, labelWidth(names, measure, MAX_LABEL) + 14);
  const plot = svg("svg", { width: LABEL + WIDTH + 56, height: m * ROW + 8, role: "list", "aria-label": "Shapley values" }, box);
  const zero = svg("line", { y1: 2, y2: m * ROW + 4, stroke: "currentColor", "stroke-opacity": 0.5 }, plot);
  const bars = names.map((name, i) => {
    const g = svg("g", { role: "listitem", class: "isw-shap-row", style: "cursor:pointer", "data-i": i }, plot);
    setLabel(svg("text", { x: LABEL - 8, y: 4 + i * ROW + ROW / 2 + 4, "text-anchor": "end", "font-size": FONT, class: "isw-label" }, g), name, LABEL - 12, measure);
    const rect = svg("rect", { class: "isw-bar", y: 4 + i * ROW + 3, height: ROW - 6, rx: 2 }, g);
    const text = svg("text", { y: 4 + i * ROW + ROW / 2 + 4, "font-size": 11 }, g);
    g.addEventListener("click", () => store.set({ pair: [i, i] }));
    return { g, rect, text };
  });
  const eff = html("div", { class: "isw-note isw-efficiency" }, box);
  const score = html("div", { class: "isw-game-intershap" }, box);
  html("div", { class: "isw-note", style: `max-width:${LABEL + WIDTH + 40}px`,
    text: "Each φᵢ is row i of the matrix summed. InterSHAP: the interactions' share of the matrix, i.e. the sum of |φᵢⱼ| over the off-diagonal cells (i ≠ j) divided by the sum of |φᵢⱼ| over all cells. Click a bar for φᵢ's terms." }, box);

  function draw() {
    const { shapley, intershap } = ctx.game();
    const { values } = store.get();
    let max = 0;
    for (const v of shapley) max = Math.max(max, Math.abs(v));
    const lo = Math.min(0, ...shapley);
    const hi = Math.max(0, ...shapley);
    const room = lo < 0 ? 48 : 0; // a negative bar's value label sits left of it, clear of the names
    const x = linear(max > 0 ? [lo, hi] : [-1, 1], [LABEL + room, LABEL + WIDTH]);
    attr(zero, { x1: x(0), x2: x(0) });
    bars.forEach((b, i) => {
      const v = shapley[i];
      const a = x(0);
      const e = x(v);
      attr(b.rect, { x: Math.min(a, e), width: Math.max(1, Math.abs(e - a)), fill: v >= 0 ? ctx.colours.pos : ctx.colours.neg, "data-value": v });
      attr(b.text, { x: v >= 0 ? Math.max(a, e) + 4 : Math.min(a, e) - 4, "text-anchor": v >= 0 ? "start" : "end" });
      b.text.textContent = fmt(v);
      const label = `Shapley value of ${names[i]}: ${fmt(v)}`;
      b.g.setAttribute("aria-label", label);
      tooltip(b.g, label);
    });
    const total = shapley.reduce((t, v) => t + v, 0);
    eff.textContent = `Σ φᵢ = ${fmt(total)} = v(N) − v(∅) = ${fmt(values[values.length - 1])} − ${fmt(values[0])} (efficiency)`;
    score.textContent = "";
    score.append("InterSHAP of the game ");
    html("b", { text: pct(intershap), "data-value": String(intershap) }, score);
    drawPicked();
  }

  function drawPicked() {
    const p = store.get().pair;
    bars.forEach((b, i) => b.g.classList.toggle("isw-hl", p.length === 2 && p[0] === i && p[1] === i));
  }

  draw();
  const unsub = store.subscribe((s, changed) => {
    if (changed.includes("values")) draw();
    else if (changed.includes("pair")) drawPicked();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
