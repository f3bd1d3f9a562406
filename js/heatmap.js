// Φ heatmaps: the global |mean φ| of the active samples and the signed φ^a of the
// selected sample. Each cell is a focusable ARIA button; arrows move, Enter picks
// the pair (highlighted in every view), Escape clears it.

import { svg, html, attr, tooltip } from "./dom.js";
import { termIndex } from "./aggregate.js";
import { diverging, sequential, sharedScale, textOn, fmt, pct, pm } from "./scales.js";
import { WHAT } from "./help.js";
import { measurer, columnWidth, distinctFrom, setLabel, fitText } from "./labels.js";

const FONT = 12; // px, row and column labels
const MAX_LABEL = 130; // px, the label column when the view does not say how much room there is
const SLANT = Math.SQRT1_2; // column labels are rotated by 45°
const KEY_H = 40; // px below the cells: the colour key (a strip, its ticks and its unit)
const KEY_STEPS = 24;

/**
 * A colour key under a heatmap: a strip of the map's colours from its minimum to its
 * maximum (0 … max for Φ, −max … 0 … max for a signed φ), ticks, and the unit the cells
 * are written in. Returns {draw(colour, max, signed, scale, what)}.
 */
function colourKey(g, width, fitKey = null) {
  const steps = [];
  for (let q = 0; q < KEY_STEPS; q++) steps.push(svg("rect", { x: (q * width) / KEY_STEPS, y: 0, width: width / KEY_STEPS + 0.5, height: 8 }, g));
  svg("rect", { x: 0, y: 0, width, height: 8, fill: "none", stroke: "currentColor", "stroke-opacity": 0.3 }, g);
  const labels = [0, 1, 2].map((q) => svg("text", { x: (q * width) / 2, y: 19, "font-size": 9.5, "text-anchor": ["start", "middle", "end"][q], class: "isw-muted" }, g));
  const unit = svg("text", { x: width / 2, y: 30, "font-size": 9.5, "text-anchor": "middle", class: "isw-muted isw-key-unit" }, g);
  return {
    draw(colour, max, signed, scale, what, qty = "") {
      const lo = signed ? -max : 0;
      steps.forEach((r, q) => r.setAttribute("fill", colour(lo + ((q + 0.5) / KEY_STEPS) * (max - lo))));
      const vals = [lo, (lo + max) / 2, max];
      labels.forEach((t, q) => { t.textContent = scale.fmt(vals[q]); });
      const inUnit = scale.unit ? ` (${scale.unit})` : "";
      const inQty = qty ? ` in ${qty}` : "";
      const text = signed ? `${what}${inQty}${inUnit}: blue −, red +` : `${what} ≥ 0${inQty}${inUnit}`;
      unit.textContent = fitKey ? fitKey(text) : text;
      tooltip(unit, text);
      g.setAttribute("aria-label", `colour key: ${scale.fmt(lo)} to ${scale.fmt(max)}${scale.unit ? ` ${scale.unit}` : ""}`);
      g.dataset.signed = String(signed);
      g.dataset.min = String(lo);
      g.dataset.max = String(max);
    },
  };
}

/** Cell size in px: roomy for a few modalities, shrinking for many. */
export function cellSize(m) {
  return m <= 5 ? 50 : Math.max(30, Math.floor(260 / m));
}

/**
 * @param {HTMLElement} parent @param {any} ctx
 * @param {{panels?: string[], sampleTitle?: () => string, sampleLabel?: string, note?: string}} [opts]
 *   panels: which of "global", "sample" to draw (default both); the teaching widget draws
 *   only "sample" (ctx.sampleMatrix) with its own title, aria-label and note.
 * @returns {{destroy: () => void, redraw: () => void}}
 */
export function createHeatmap(parent, ctx, opts = {}) {
  const { m, names, store } = ctx;
  const CELL = cellSize(m);
  const box = html("div", { class: "isw-panel isw-heatmap" }, parent);
  const measure = measurer(box, FONT);
  const from = distinctFrom(names);
  const nameW = columnWidth(names, from, measure, ctx.labelRoom?.heatmap ?? MAX_LABEL);
  const left = Math.max(24, nameW + 10); // row labels end 6 px left of the cells
  // a column label starts 4 px right of its column's centre, 6 px above the cells, and
  // climbs at 45°: its top-right corner reaches (w + FONT) / √2 up and right
  const reach = Math.ceil((nameW + FONT) * SLANT) + 8;
  const top = Math.max(24, reach + 2);
  const right = Math.max(4, reach - CELL / 2 + 2);
  const size = CELL * m;
  const panels = (opts.panels ?? ["global", "sample"]).map((key) => ({ key, kind: key, title: "" }));
  const byKey = Object.fromEntries(panels.map((p) => [p.key, p]));
  const row = html("div", { class: "isw-row" }, box);
  let focus = [0, 0];
  for (const p of panels) {
    const wrap = html("div", {}, row);
    p.head = html("div", { class: "isw-title", title: opts.note ? "" : p.kind === "global" ? WHAT.phi : WHAT.sample }, wrap);
    const w = left + size + right;
    const h = top + size + 4 + KEY_H;
    p.svg = svg("svg", { width: w, height: h, role: "grid", "aria-label": p.key === "global" ? "global interaction matrix" : opts.sampleLabel ?? "interaction matrix of the selected sample" }, wrap);
    const g = svg("g", { transform: `translate(${left},${top})` }, p.svg);
    p.cells = [];
    for (let i = 0; i < m; i++) {
      const rowG = svg("g", { role: "row" }, g);
      setLabel(svg("text", { x: -6, y: i * CELL + CELL / 2 + 4, "text-anchor": "end", "font-size": FONT, class: "isw-label" }, g), names[i], nameW, measure, from[i]);
      for (let j = 0; j < m; j++) {
        const c = svg("g", {
          class: `isw-cell${i === j ? " isw-diag" : ""}`, role: "gridcell", tabindex: -1,
          "data-i": i, "data-j": j, "data-panel": p.key, transform: `translate(${j * CELL},${i * CELL})`,
        }, rowG);
        const r = svg("rect", { class: "isw-fill", x: 1, y: 1, width: CELL - 2, height: CELL - 2, rx: 2 }, c);
        const t = svg("text", { x: CELL / 2, y: CELL / 2 + (ctx.sampled ? 0 : 4), "text-anchor": "middle", "font-size": CELL >= 46 ? 10.5 : 8.5, "pointer-events": "none" }, c);
        const e = ctx.sampled ? svg("text", { x: CELL / 2, y: CELL / 2 + 12, "text-anchor": "middle", "font-size": 8.5, "pointer-events": "none", class: "isw-cell-se" }, c) : null;
        c.addEventListener("click", () => pick(i, j));
        c.addEventListener("keydown", (ev) => onKey(ev, p, i, j));
        p.cells.push({ g: c, r, t, e, i, j });
      }
    }
    for (let j = 0; j < m; j++) {
      setLabel(svg("text", { transform: `translate(${j * CELL + CELL / 2 + 4},-6) rotate(-45)`, "text-anchor": "start", "font-size": FONT, class: "isw-label" }, g), names[j], nameW, measure, from[j]);
    }
    const keyMeasure = measurer(box, 9.5);
    const keyRoom = Math.min(2 * left, 2 * right) + size - 4; // the unit line is centred under the cells
    p.key = colourKey(svg("g", { transform: `translate(${left},${top + size + 8})`, class: "isw-key", role: "img" }, p.svg), size,
      (text) => fitText(text, keyRoom, keyMeasure));
  }
  html("div", { class: `isw-note${opts.note ? "" : " isw-what"}`, style: `max-width:${panels.length * (left + size + right + 14) + 14}px`, text: opts.note ?? `Dashed: main effects φᵢᵢ; others: pairs φᵢⱼ. Click or Enter picks a pair.${ctx.sampled ? " ±: one standard error." : ""}` }, box);
  setFocusable(0, 0);

  function pick(i, j) {
    const cur = store.get().pair;
    const same = cur.length === 2 && ((cur[0] === i && cur[1] === j) || (cur[0] === j && cur[1] === i));
    store.set({ pair: same ? [] : [Math.min(i, j), Math.max(i, j)] });
  }

  function setFocusable(i, j) {
    focus = [i, j];
    for (const p of panels) for (const c of p.cells) c.g.setAttribute("tabindex", c.i === i && c.j === j && p === panels[0] ? 0 : -1);
  }

  function onKey(ev, p, i, j) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[ev.key]) {
      const [di, dj] = moves[ev.key];
      const ni = Math.max(0, Math.min(m - 1, i + di));
      const nj = Math.max(0, Math.min(m - 1, j + dj));
      const target = p.cells[ni * m + nj].g;
      for (const c of p.cells) c.g.setAttribute("tabindex", -1);
      target.setAttribute("tabindex", 0);
      target.focus();
      ev.preventDefault();
    } else if (ev.key === "Enter" || ev.key === " ") {
      pick(i, j);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      store.set({ pair: [] });
    }
  }

  const cellFont = CELL >= 46 ? 10.5 : 8.5;
  const cellMeasure = measurer(box, cellFont);

  function paint(p, mat, shareOf, title, what, se = null, ci = null) {
    let widest = 0;
    let max = 0;
    for (const v of mat) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    const signed = p.kind !== "global"; // Φ = |mean φ| ≥ 0: sequential; a sample's φ: diverging
    const colour = signed ? diverging(max, ctx.mid) : sequential(max, ctx.mid);
    const scale = sharedScale(max);
    p.key.draw(colour, max, signed, scale, what, ctx.quantity ? ctx.quantity(store.get().cls) : "");
    p.head.textContent = title;
    const pair = store.get().pair;
    for (const c of p.cells) {
      const v = mat[c.i * m + c.j];
      const fill = colour(v);
      c.r.setAttribute("fill", fill);
      c.t.setAttribute("fill", textOn(fill));
      c.t.textContent = CELL >= 46 ? scale.fmt(v) : ""; // small cells: value in the tooltip / label only
      widest = Math.max(widest, cellMeasure(c.t.textContent));
      const kind = c.i === c.j ? `main effect of ${names[c.i]}` : `interaction ${names[c.i]} × ${names[c.j]}`;
      const share = shareOf(c.i, c.j);
      const e = se ? se.se[termIndex(m, c.i, c.j)] : NaN;
      const plus = se ? pm(e, se.bound) : "";
      if (c.e) {
        c.e.setAttribute("fill", textOn(fill));
        c.e.textContent = CELL >= 46 && se ? plus.trim() : "";
      }
      const band = ci ? ci(termIndex(m, c.i, c.j)) : null;
      const range = band && band.every(Number.isFinite) ? ` [${fmt(band[0])}, ${fmt(band[1])}]` : "";
      const text = `${what}[${names[c.i]}, ${names[c.j]}] = ${fmt(v)}${plus}${range}: ${kind}, ${Number.isFinite(share) ? `${pct(share)} of behaviour` : "no behaviour to share"}`;
      c.g.setAttribute("aria-label", text);
      c.g.setAttribute("data-value", String(v));
      if (se) c.g.setAttribute("data-se", String(e));
      tooltip(c.g, text);
      const picked = pair.length === 2 && ((pair[0] === c.i && pair[1] === c.j) || (pair[0] === c.j && pair[1] === c.i));
      c.g.classList.toggle("isw-picked", picked);
      c.g.setAttribute("aria-selected", picked ? "true" : "false");
    }
    // a value wider than its cell ("−0.0873" in 48 px) gets a smaller font, the same in every cell
    const font = widest > CELL - 8 ? Math.max(7, (cellFont * (CELL - 8)) / widest) : cellFont;
    for (const c of p.cells) c.t.setAttribute("font-size", font.toFixed(2));
  }

  function drawGlobal() {
    if (!byKey.global) return;
    const s = store.get();
    const agg = ctx.aggregate(s);
    const total = agg.behaviour;
    const scope = ctx.scopeLabel(s);
    const iv = ctx.intervals ? ctx.intervals(s) : null;
    paint(byKey.global, agg.matrix, (i, j) => (Math.abs(agg.matrix[i * m + j]) * (i === j ? 1 : 2)) / total,
      `Φ = |mean φ|, ${scope}`, "Φ", ctx.termSe ? ctx.termSe(s) : null, iv?.term ?? null);
  }

  function drawSample() {
    if (!byKey.sample) return;
    const s = store.get();
    const mat = ctx.sampleMatrix(s.cls, s.sample);
    let total = 0;
    for (const v of mat) total += Math.abs(v);
    paint(byKey.sample, mat, (i, j) => (Math.abs(mat[i * m + j]) * (i === j ? 1 : 2)) / total,
      opts.sampleTitle ? opts.sampleTitle() : `φ of sample ${ctx.sampleName(s.sample)}`, "φ",
      ctx.sampled ? { se: ctx.sampleSe(s.sample), bound: false } : null);
  }

  drawGlobal();
  drawSample();
  const unsub = store.subscribe((s, changed) => {
    const globalKeys = ["cls", "indices", "filterClass", "filterLabel", "pair"];
    if (changed.some((k) => globalKeys.includes(k))) drawGlobal();
    if (changed.some((k) => ["cls", "sample", "pair"].includes(k))) drawSample();
  });
  return { destroy: () => { unsub(); box.remove(); }, redraw: () => { drawGlobal(); drawSample(); } };
}
