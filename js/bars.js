// Bars: each term's share of behaviour for the active samples and for the selected
// sample; and a waterfall of the selected sample from base value v(∅) through main
// effects and interactions to its prediction v(N).

import { svg, html, clear, tooltip } from "./dom.js";
import { linear, extent, fmt, pct, ticks } from "./scales.js";

const ROW = 18;
const LABEL = 110;
const WIDTH = 190;

/** @param {HTMLElement} parent @param {any} ctx */
export function createBars(parent, ctx) {
  const { m, names, store, pairs } = ctx;
  const box = html("div", { class: "isw-panel isw-bars" }, parent);
  html("div", { class: "isw-title", text: "Share of behaviour" }, box);
  const legend = html("div", { class: "isw-note" }, box);
  legend.innerHTML = `<span style="color:${ctx.colours.set}">■</span> active samples &nbsp; <span style="color:${ctx.colours.sample}">■</span> selected sample`;
  const k = pairs.length;
  const shareSvg = svg("svg", { width: LABEL + WIDTH + 50, height: k * ROW * 1.6 + 24, role: "list", "aria-label": "share of behaviour per term" }, box);
  html("div", { class: "isw-title", text: "Waterfall of the selected sample", style: "margin-top:8px" }, box);
  const wfSvg = svg("svg", { width: LABEL + WIDTH + 50, height: (k + 2) * ROW + 30, role: "list", "aria-label": "waterfall of the selected sample" }, box);

  const termName = ([i, j]) => (i === j ? names[i] : `${names[i]} × ${names[j]}`);

  function isPicked([i, j]) {
    const p = store.get().pair;
    return p.length === 2 && p[0] === Math.min(i, j) && p[1] === Math.max(i, j);
  }

  function drawShares() {
    const s = store.get();
    const agg = ctx.aggregate(s);
    const mat = ctx.sampleMatrix(s.cls, s.sample);
    let total = 0;
    for (const v of mat) total += Math.abs(v);
    const sampleShares = pairs.map(([i, j]) => (Math.abs(mat[i * m + j]) * (i === j ? 1 : 2)) / total);
    clear(shareSvg);
    const x = linear([0, 1], [LABEL, LABEL + WIDTH]);
    const h = ROW * 1.6;
    pairs.forEach((pr, t) => {
      const y = 4 + t * h;
      const g = svg("g", { role: "listitem", class: isPicked(pr) ? "isw-hl" : "" }, shareSvg);
      svg("text", { x: LABEL - 6, y: y + h / 2 + 2, "text-anchor": "end", "font-size": 11 }, g).textContent = termName(pr);
      const vals = [[agg.shares[t], ctx.colours.set, "active samples"], [sampleShares[t], ctx.colours.sample, "selected sample"]];
      vals.forEach(([v, colour, what], q) => {
        const bw = Number.isFinite(v) ? Math.max(0, x(v) - LABEL) : 0;
        const r = svg("rect", { class: "isw-bar", x: LABEL, y: y + q * (h / 2 - 1), width: bw, height: h / 2 - 2, fill: colour, role: "img",
          "aria-label": `${termName(pr)} (${pr[0] === pr[1] ? "main effect" : "interaction"}), ${what}: ${pct(v)}`, "data-value": v }, g);
        tooltip(r, r.getAttribute("aria-label"));
        svg("text", { x: LABEL + bw + 3, y: y + q * (h / 2 - 1) + h / 2 - 4, "font-size": 10, class: "isw-muted" }, g).textContent = pct(v);
      });
      g.addEventListener("click", () => {
        store.set({ pair: isPicked(pr) ? [] : [pr[0], pr[1]] });
      });
      g.style.cursor = "pointer";
    });
    const axisY = 4 + k * h + 2;
    svg("line", { x1: LABEL, x2: LABEL + WIDTH, y1: axisY, y2: axisY, class: "isw-axis", stroke: "currentColor", "stroke-opacity": 0.4 }, shareSvg);
    for (const tv of [0, 0.25, 0.5, 0.75, 1]) {
      svg("text", { x: x(tv), y: axisY + 12, "font-size": 10, "text-anchor": "middle", class: "isw-muted" }, shareSvg).textContent = `${tv * 100}%`;
    }
  }

  function drawWaterfall() {
    const s = store.get();
    const mat = ctx.sampleMatrix(s.cls, s.sample);
    const base = ctx.baseOf(s.cls, s.sample);
    const pred = ctx.predOf(s.cls, s.sample);
    const steps = pairs.map((pr) => ({ pr, v: mat[pr[0] * m + pr[1]] * (pr[0] === pr[1] ? 1 : 2) }));
    const points = [base];
    let acc = base;
    for (const st of steps) { acc += st.v; points.push(acc); }
    points.push(pred);
    const [lo, hi] = extent(points);
    const pad = (hi - lo) * 0.05;
    const x = linear([lo - pad, hi + pad], [LABEL, LABEL + WIDTH]);
    clear(wfSvg);
    const rows = [{ name: "base v(∅)", from: null, to: base, kind: "total" },
      ...steps.map((st, t) => ({ name: termName(st.pr), from: points[t], to: points[t + 1], v: st.v, pr: st.pr, kind: st.pr[0] === st.pr[1] ? "main effect" : "interaction" })),
      { name: "prediction v(N)", from: null, to: pred, kind: "total" }];
    rows.forEach((r, t) => {
      const y = 4 + t * ROW;
      const g = svg("g", { role: "listitem", class: r.pr && isPicked(r.pr) ? "isw-hl" : "" }, wfSvg);
      svg("text", { x: LABEL - 6, y: y + ROW / 2 + 3, "text-anchor": "end", "font-size": 11 }, g).textContent = r.name;
      const a = r.from === null ? x(r.to) - 1.5 : x(r.from);
      const b = x(r.to);
      const colour = r.kind === "total" ? ctx.colours.total : r.v >= 0 ? ctx.colours.pos : ctx.colours.neg;
      const label = r.kind === "total" ? `${r.name} = ${fmt(r.to)}` : `${r.name} (${r.kind}): ${r.v >= 0 ? "+" : ""}${fmt(r.v)}`;
      const rect = svg("rect", { class: "isw-bar", x: Math.min(a, b), y: y + 2, width: Math.max(r.from === null ? 3 : 1, Math.abs(b - a)), height: ROW - 4, fill: colour, role: "img", "aria-label": label, "data-value": r.kind === "total" ? r.to : r.v }, g);
      tooltip(rect, label);
      svg("text", { x: Math.max(a, b) + 3, y: y + ROW / 2 + 3, "font-size": 10, class: "isw-muted" }, g).textContent = r.kind === "total" ? fmt(r.to) : `${r.v >= 0 ? "+" : ""}${fmt(r.v)}`;
    });
    const axisY = 4 + rows.length * ROW + 2;
    svg("line", { x1: LABEL, x2: LABEL + WIDTH, y1: axisY, y2: axisY, stroke: "currentColor", "stroke-opacity": 0.4 }, wfSvg);
    for (const tv of ticks(lo - pad, hi + pad, 4)) {
      svg("text", { x: x(tv), y: axisY + 12, "font-size": 10, "text-anchor": "middle", class: "isw-muted" }, wfSvg).textContent = fmt(tv, 3);
    }
  }

  drawShares();
  drawWaterfall();
  const unsub = store.subscribe((s, changed) => {
    if (changed.some((c) => ["cls", "sample", "indices", "filterClass", "filterLabel", "pair"].includes(c))) drawShares();
    if (changed.some((c) => ["cls", "sample", "pair"].includes(c))) drawWaterfall();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
