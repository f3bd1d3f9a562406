// How the picked pair's φ_ij (or main effect φ_ii) is distributed over the active
// samples: a histogram, with the selected sample marked.

import { svg, html, clear, tooltip } from "./dom.js";
import { linear, extent, ticks, fmt, pm, fmtInt } from "./scales.js";
import { termIndex } from "./aggregate.js";
import { measurer, setLabel } from "./labels.js";
import { WHAT } from "./help.js";

const W = 280;
const H = 200;
const PAD = { l: 40, r: 10, t: 8, b: 32 };
const BINS = 30;

/** Histogram counts of `values[list]` over `bins` equal bins of [lo, hi]. */
export function histogram(values, list, lo, hi, bins) {
  const out = new Uint32Array(bins);
  const w = (hi - lo) / bins || 1;
  const len = list ? list.length : values.length;
  for (let t = 0; t < len; t++) {
    const v = values[list ? list[t] : t];
    if (!Number.isFinite(v)) continue;
    out[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / w)))]++;
  }
  return out;
}

/** @param {HTMLElement} parent @param {any} ctx */
export function createPairDistribution(parent, ctx) {
  const { store, names, m } = ctx;
  const box = html("div", { class: "isw-panel isw-pairdist", style: `max-width:${W + 18}px` }, parent);
  const title = html("div", { class: "isw-title", title: WHAT.pair }, box);
  const chart = svg("svg", { width: W, height: H, role: "img" }, box);
  const note = html("div", { class: "isw-note" }, box);
  const measure = measurer(box, 10);
  let cache = null;
  let line = null;
  let xScale = null;
  let drawnKey = null;

  function moveLine() {
    if (!line || !cache) return;
    const s = store.get();
    const v = cache.vals[s.sample];
    const xv = xScale(v);
    const se = ctx.sampleSe(s.sample);
    const plus = se ? pm(se[termIndex(m, s.pair[0], s.pair[1])]) : "";
    const label = `selected sample ${ctx.sampleName(s.sample)}: ${fmt(v)}${plus}`;
    line.setAttribute("x1", xv);
    line.setAttribute("x2", xv);
    line.setAttribute("aria-label", label);
    line.setAttribute("data-value", String(v));
    tooltip(line, label);
    note.textContent = `${fmtInt(cache.total)} samples; the line marks the selected sample (${fmt(v)}${plus}).`;
  }

  /** Histogram of term (i, j) of class `c` over `list` (null = all samples). */
  function summarise(c, i, j, list) {
    const vals = ctx.termValues(c, termIndex(m, i, j));
    let sub = vals;
    if (list) { sub = new Float32Array(list.length); for (let t = 0; t < list.length; t++) sub[t] = vals[list[t]]; }
    const [lo, hi] = extent(sub);
    return { key: "", vals, lo, hi, counts: histogram(sub, null, lo, hi, BINS), total: sub.length };
  }
  const classHistogram = (c, i, j) => ctx.memo(`hist${c}|${i}|${j}`, () => summarise(c, i, j, null));
  // idle-time warm-up of the other classes: the picked pair's histogram too
  ctx.warmHooks?.push((c) => { const p = store.get().pair; if (p.length === 2) classHistogram(c, p[0], p[1]); });

  function draw() {
    const s = store.get();
    const pair = s.pair.length === 2 ? s.pair : null;
    if (!pair) {
      clear(chart);
      line = null;
      drawnKey = null;
      title.textContent = "Distribution of a pair over samples";
      note.textContent = "Pick a heatmap cell or a bar to see how its φ is spread over the samples.";
      chart.setAttribute("aria-label", "no pair picked");
      chart.style.display = "none"; // collapsed until a pair is picked
      box.classList.add("isw-collapsed");
      cache = null;
      return;
    }
    chart.style.display = "";
    box.classList.remove("isw-collapsed");
    const [i, j] = pair;
    const kname = i === j ? `φ of ${names[i]} (main effect)` : `φ of ${names[i]} × ${names[j]}`;
    if (title.textContent !== `Distribution of ${kname}`) title.textContent = `Distribution of ${kname}`;
    const key = `${s.cls}|${i}|${j}|${s.indices.length}|${s.filterClass}|${s.filterLabel}|${ctx.activeVersion(s)}`;
    if (!cache || cache.key !== key) {
      const list = ctx.active(s);
      // all samples of a class: kept, so switching classes back and forth is free
      cache = list ? summarise(s.cls, i, j, list) : classHistogram(s.cls, i, j);
      cache.key = key;
    }
    if (drawnKey === key) { moveLine(); return; }
    drawnKey = key;
    clear(chart);
    const { lo, hi, counts, total } = cache;
    const x = linear([lo, hi], [PAD.l, W - PAD.r]);
    xScale = x;
    let maxc = 1;
    for (const c of counts) maxc = Math.max(maxc, c);
    const y = linear([0, maxc], [H - PAD.b, PAD.t]);
    const bw = (W - PAD.l - PAD.r) / BINS;
    counts.forEach((c, b) => {
      const b0 = lo + ((hi - lo) * b) / BINS;
      const b1 = lo + ((hi - lo) * (b + 1)) / BINS;
      const r = svg("rect", { x: PAD.l + b * bw + 0.5, y: y(c), width: Math.max(0.5, bw - 1), height: H - PAD.b - y(c), fill: ctx.colours.set, role: "img",
        "aria-label": `${fmt(b0)} to ${fmt(b1)}: ${c} samples`, "data-value": c }, chart);
      tooltip(r, r.getAttribute("aria-label"));
    });
    svg("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, stroke: "currentColor", "stroke-opacity": 0.4 }, chart);
    for (const tv of ticks(lo, hi, 4)) svg("text", { x: x(tv), y: H - PAD.b + 12, "font-size": 10, "text-anchor": "middle", class: "isw-muted" }, chart).textContent = fmt(tv, 3);
    setLabel(svg("text", { x: W / 2, y: H - 4, "font-size": 10, "text-anchor": "middle", class: "isw-label" }, chart), kname, W - 8, measure);
    svg("text", { x: PAD.l - 4, y: PAD.t + 8, "font-size": 10, "text-anchor": "end", class: "isw-muted" }, chart).textContent = String(maxc);
    line = svg("line", { y1: PAD.t, y2: H - PAD.b, stroke: ctx.colours.sample, "stroke-width": 2.5, role: "img", class: "isw-sample-line" }, chart);
    chart.setAttribute("aria-label", `histogram of ${kname} over ${total} samples`);
    moveLine();
  }
  draw();
  const unsub = store.subscribe((s, changed) => {
    if (changed.some((c) => ["pair", "cls", "sample", "indices", "filterClass", "filterLabel"].includes(c))) draw();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
