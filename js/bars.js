// Bars: each term's share of behaviour for the active samples and for the selected
// sample; and a waterfall of the selected sample from base value v(∅) through main
// effects and interactions to its prediction v(N). Marks are built once and updated
// in place, so switching samples stays cheap.

import { svg, html, clear, tooltip, attr } from "./dom.js";
import { linear, extent, fmt, pct, pm, ticks, sharedScale, interval } from "./scales.js";
import { termShareSeBounds } from "./errors.js";
import { measurer, columnWidth, distinctFrom, setLabel, setPairLabel } from "./labels.js";
import { WHAT } from "./help.js";

const ROW = 18;
const FONT = 11; // px, the term labels
const MIN_LABEL = 60; // px left of the plot, at least
const MAX_LABEL = 190; // px, the label column when the view does not say how much room there is
const WIDTH = 190;
const EXTRA = 50; // room right of the plot for value labels

const signed = (v) => `${v >= 0 ? "+" : ""}${fmt(v)}`;
const CAPTION = "Each term's part of ΣΦ; the pair bars add up to InterSHAP.";
const TOPS = [0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1];

/** The share axis' end: the first round share above `v` (with a little room), at most 100 %. */
export function shareTop(v) {
  return TOPS.find((t) => t >= v * 1.04) ?? 1;
}

/** @param {HTMLElement} parent @param {any} ctx */
export function createBars(parent, ctx) {
  const { m, names, store, pairs } = ctx;
  const box = html("div", { class: "isw-panel isw-bars" }, parent);
  const row = html("div", { class: "isw-bars-row" }, box); // the two sections: side by side where there is room
  const shareSec = html("div", { class: "isw-bars-share" }, row);
  const wfSec = html("div", { class: "isw-bars-waterfall" }, row);
  html("div", { class: "isw-title", text: "Share of behaviour (InterSHAP's terms)", title: WHAT.bars }, shareSec);
  const whatBars = html("div", { class: "isw-note isw-what", text: CAPTION }, shareSec);
  const legend = html("div", { class: "isw-note" }, shareSec);
  legend.innerHTML = `<span style="color:${ctx.colours.set}">■</span> active samples &nbsp; <span style="color:${ctx.colours.sample}">■</span> selected sample`;
  if (ctx.sampled) legend.append(" · whiskers: a bound on ± one standard error");
  const k = pairs.length;
  const h = ROW * 1.6;
  const termName = ([i, j]) => (i === j ? names[i] : `${names[i]} × ${names[j]}`);
  const kindOf = ([i, j]) => (i === j ? "main effect" : "interaction");
  const wfNames = ["base v(∅)", ...pairs.map(termName), "prediction v(N)"];
  const measure = measurer(box, FONT);
  const from = distinctFrom(names);
  const room = ctx.labelRoom?.bars ?? MAX_LABEL;
  const LABEL = Math.max(MIN_LABEL, columnWidth(wfNames, [0, ...pairs.map(([i, j]) => (i === j ? from[i] : 0)), 0], measure, room) + 12);
  // a pair's label fits each name on its own (keeping the part that tells it apart), so
  // pairs sharing a modality stay apart
  const fit = (node, text, pr = null) => (pr && pr[0] !== pr[1]
    ? setPairLabel(node, names[pr[0]], names[pr[1]], LABEL - 10, measure, from[pr[0]], from[pr[1]])
    : setLabel(node, text, LABEL - 10, measure, pr ? from[pr[0]] : 0));
  let x = linear([0, 1], [LABEL, LABEL + WIDTH]);
  const extra = ctx.sampled ? EXTRA + 56 : EXTRA; // "± se" labels need more room

  // --- share bars: one group per term, two bars each
  const shareSvg = svg("svg", { width: LABEL + WIDTH + extra, height: k * h + 24, role: "listbox", "aria-label": "share of behaviour per term: arrows move, Enter picks the term" }, shareSec);
  const shareRows = pairs.map((pr, t) => {
    const y = 4 + t * h;
    const g = svg("g", { role: "option", class: "isw-term", tabindex: t === 0 ? 0 : -1, "aria-selected": "false", "aria-label": termName(pr) }, shareSvg);
    svg("rect", { class: "isw-band", x: 0, y: y - 1, width: LABEL + WIDTH + extra, height: h, rx: 3 }, g);
    fit(svg("text", { x: LABEL - 6, y: y + h / 2 + 2, "text-anchor": "end", "font-size": FONT, class: "isw-label" }, g), termName(pr), pr);
    const bars = [ctx.colours.set, ctx.colours.sample].map((colour, q) => ({
      rect: svg("rect", { class: "isw-bar", x: LABEL, y: y + q * (h / 2 - 1), height: h / 2 - 2, fill: colour, role: "img" }, g),
      text: svg("text", { y: y + q * (h / 2 - 1) + h / 2 - 4, "font-size": 10, class: "isw-muted" }, g),
      whisker: ctx.sampled ? svg("path", { class: "isw-whisker", stroke: "currentColor", "stroke-width": 1.2, fill: "none", "data-y": y + q * (h / 2 - 1) + h / 4 - 1 }, g) : null,
    }));
    g.addEventListener("click", () => togglePick(pr));
    g.addEventListener("keydown", (ev) => onKey(ev, t));
    return { g, bars, pr };
  });
  const axisY = 4 + k * h + 2;
  svg("line", { x1: LABEL, x2: LABEL + WIDTH, y1: axisY, y2: axisY, stroke: "currentColor", "stroke-opacity": 0.4 }, shareSvg);
  const shareTicks = svg("g", { class: "isw-share-ticks" }, shareSvg);
  let top = 0;
  let setVals = null;
  let sampleVals = null;

  const togglePick = (pr) => store.set({ pair: isPicked(pr) ? [] : [pr[0], pr[1]] });
  /** Arrows move over the terms (one tab stop), Enter or Space picks, Escape clears. */
  function onKey(ev, t) {
    const to = { ArrowDown: t + 1, ArrowUp: t - 1, Home: 0, End: k - 1 }[ev.key];
    if (to !== undefined) {
      const q = Math.max(0, Math.min(k - 1, to));
      shareRows.forEach((r, u) => r.g.setAttribute("tabindex", u === q ? 0 : -1));
      shareRows[q].g.focus();
    } else if (ev.key === "Enter" || ev.key === " ") togglePick(shareRows[t].pr);
    else if (ev.key === "Escape") store.set({ pair: [] });
    else return;
    ev.preventDefault();
  }

  /** The share axis ends at a round share above the active samples' largest. */
  function axis(end) {
    if (end === top) return false;
    top = end;
    x = linear([0, top], [LABEL, LABEL + WIDTH]);
    clear(shareTicks);
    for (const tv of ticks(0, top, 4)) {
      svg("text", { x: x(tv), y: axisY + 12, "font-size": 10, "text-anchor": "middle", class: "isw-muted" }, shareTicks).textContent = `${+(tv * 100).toFixed(1)}%`;
    }
    return true;
  }

  // --- waterfall: base, one row per term, prediction
  html("div", { class: "isw-title", text: "Waterfall of the selected sample", title: WHAT.waterfall }, wfSec);
  const wfSvg = svg("svg", { width: LABEL + WIDTH + extra, height: (k + 2) * ROW + 40, role: "list", "aria-label": "waterfall of the selected sample" }, wfSec);
  const wfRows = wfNames.map((name, t) => {
    const y = 4 + t * ROW;
    const g = svg("g", { role: "listitem" }, wfSvg);
    svg("rect", { class: "isw-band", x: 0, y, width: LABEL + WIDTH + extra, height: ROW, rx: 3 }, g);
    fit(svg("text", { x: LABEL - 6, y: y + ROW / 2 + 3, "text-anchor": "end", "font-size": FONT, class: "isw-label" }, g), name,
      t > 0 && t <= k ? pairs[t - 1] : null);
    const rect = svg("rect", { class: "isw-bar", y: y + 2, height: ROW - 4, role: "img" }, g);
    const text = svg("text", { y: y + ROW / 2 + 3, "font-size": 10, class: "isw-muted" }, g);
    const whisker = ctx.sampled && t > 0 && t <= k ? svg("path", { class: "isw-whisker", stroke: "currentColor", "stroke-width": 1.2, fill: "none" }, g) : null;
    return { g, rect, text, whisker, y, name, pr: t > 0 && t <= k ? pairs[t - 1] : null };
  });
  const wfAxisY = 4 + wfNames.length * ROW + 2;
  const wfUnit = svg("text", { x: LABEL + WIDTH / 2, y: wfAxisY + 24, "font-size": 9.5, "text-anchor": "middle", class: "isw-muted isw-wf-unit" }, wfSvg);
  whatBars.style.maxWidth = `${LABEL + WIDTH + extra}px`;
  svg("line", { x1: LABEL, x2: LABEL + WIDTH, y1: wfAxisY, y2: wfAxisY, stroke: "currentColor", "stroke-opacity": 0.4 }, wfSvg);
  const wfTicks = svg("g", {}, wfSvg);

  function isPicked([i, j]) {
    const p = store.get().pair;
    return p.length === 2 && Math.min(p[0], p[1]) === Math.min(i, j) && Math.max(p[0], p[1]) === Math.max(i, j);
  }

  /** A horizontal error whisker from a to b (pixels) at height y. */
  function whiskerPath(a, b, y) {
    return `M${a},${y - 3}V${y + 3}M${a},${y}H${b}M${b},${y - 3}V${y + 3}`;
  }

  function setBar(b, v, what, pr, se = NaN, bound = false, range = "") {
    const bw = Number.isFinite(v) ? Math.max(0, x(Math.min(v, top)) - LABEL) : 0; // past the axis' end: cut, the label says it
    b.rect.classList.toggle("isw-cut", v > top);
    const plus = pm(se, bound, "pct");
    const label = `${termName(pr)} (${kindOf(pr)}), ${what}: ${pct(v)}${plus}${range}`;
    attr(b.rect, { width: bw, "aria-label": label, "data-value": v });
    tooltip(b.rect, label);
    let right = LABEL + bw;
    if (b.whisker) {
      const ok = Number.isFinite(se) && Number.isFinite(v);
      const lo = ok ? x(Math.max(0, Math.min(top, v - se))) : LABEL;
      const hi = ok ? x(Math.min(top, v + se)) : LABEL;
      attr(b.whisker, { d: ok ? whiskerPath(lo, hi, Number(b.whisker.getAttribute("data-y"))) : "", "data-se": se });
      right = Math.max(right, hi);
    }
    attr(b.text, { x: right + 3 });
    b.text.textContent = pct(v) + (b.whisker ? pm(se, false, "pct") : ""); // the legend says it is a bound
  }

  function drawSetShares() {
    const s = store.get();
    const agg = ctx.aggregate(s);
    const se = ctx.termSe(s);
    const terms = pairs.map(([i, j]) => agg.matrix[i * m + j]);
    const sb = se ? termShareSeBounds(terms, se.se, m) : null;
    // a modality's share is its contribution: the result's interval, when it describes these samples
    const iv = ctx.intervals(s);
    const contrib = iv ? ctx.meta.intervals.contributions : null;
    const range = (t) => (contrib && t < m ? interval([contrib[0][t], contrib[1][t]]) + (interval([contrib[0][t], contrib[1][t]]) ? ` (${Math.round(100 * iv.level)} % interval)` : "") : "");
    setVals = () => shareRows.forEach((r, t) => setBar(r.bars[0], agg.shares[t], "active samples", r.pr, sb ? sb[t] : NaN, true, range(t)));
    let most = 0;
    for (const v of agg.shares) if (Number.isFinite(v)) most = Math.max(most, v);
    const moved = axis(shareTop(most));
    setVals();
    if (moved && sampleVals) sampleVals();
  }

  function drawSampleShares() {
    const s = store.get();
    const mat = ctx.sampleMatrix(s.cls, s.sample);
    let total = 0;
    for (const v of mat) total += Math.abs(v);
    const se = ctx.sampleSe(s.sample);
    const sb = se ? termShareSeBounds(pairs.map(([i, j]) => mat[i * m + j]), se, m) : null;
    sampleVals = () => shareRows.forEach((r, t) => {
      const [i, j] = r.pr;
      setBar(r.bars[1], (Math.abs(mat[i * m + j]) * (i === j ? 1 : 2)) / total, "selected sample", r.pr, sb ? sb[t] : NaN, true);
    });
    sampleVals();
  }

  function drawPicked() {
    for (const r of shareRows) {
      r.g.classList.toggle("isw-hl", isPicked(r.pr));
      r.g.setAttribute("aria-selected", String(isPicked(r.pr)));
    }
    for (const r of wfRows) r.g.classList.toggle("isw-hl", !!r.pr && isPicked(r.pr));
  }

  function drawWaterfall() {
    const s = store.get();
    const mat = ctx.sampleMatrix(s.cls, s.sample);
    const base = ctx.baseOf(s.cls, s.sample);
    const pred = ctx.predOf(s.cls, s.sample);
    const steps = pairs.map((pr) => mat[pr[0] * m + pr[1]] * (pr[0] === pr[1] ? 1 : 2));
    const se = ctx.sampleSe(s.sample);
    const stepSe = se ? pairs.map((pr, t) => se[t] * (pr[0] === pr[1] ? 1 : 2)) : null;
    const points = [base];
    for (const v of steps) points.push(points[points.length - 1] + v);
    points.push(pred);
    const reach = stepSe ? points.slice(1, -1).flatMap((p, t) => [p - stepSe[t], p + stepSe[t]]) : [];
    const [lo, hi] = extent(points.concat(reach));
    const pad = (hi - lo) * 0.05;
    const wx = linear([lo - pad, hi + pad], [LABEL, LABEL + WIDTH]);
    let big = 0;
    for (const p of points.concat(steps)) if (Number.isFinite(p)) big = Math.max(big, Math.abs(p));
    const sc = sharedScale(big); // one unit for every number of the waterfall
    const sgn = (v) => `${v >= 0 ? "+" : ""}${sc.fmt(v)}`;
    const qty = ctx.quantity ? ctx.quantity(s.cls) : "value";
    wfUnit.textContent = `${qty}${sc.unit ? ` (${sc.unit})` : ""}, from v(∅) to v(N)`;
    wfRows.forEach((r, t) => {
      const total = t === 0 || t === wfRows.length - 1;
      const to = total ? (t === 0 ? base : pred) : points[t];
      const v = total ? to : steps[t - 1];
      const b = wx(to);
      const a = total ? b - 1.5 : wx(points[t - 1]);
      const e = stepSe && !total ? stepSe[t - 1] : NaN;
      const label = total ? `${r.name} = ${fmt(to)}` : `${r.name} (${kindOf(r.pr)}): ${signed(v)}${pm(e)}`;
      attr(r.rect, { x: Math.min(a, b), width: Math.max(total ? 3 : 1, Math.abs(b - a)), "aria-label": label, "data-value": v,
        fill: total ? ctx.colours.total : v >= 0 ? ctx.colours.pos : ctx.colours.neg });
      tooltip(r.rect, label);
      let right = Math.max(a, b);
      if (r.whisker) {
        const lo = wx(to - e);
        const hi = wx(to + e);
        attr(r.whisker, { d: Number.isFinite(e) ? whiskerPath(lo, hi, r.y + ROW / 2) : "", "data-se": e });
        right = Math.max(right, hi);
      }
      attr(r.text, { x: right + 3 });
      r.text.textContent = total ? sc.fmt(to) : sgn(v) + (r.whisker ? pm(e) : "");
    });
    clear(wfTicks);
    for (const tv of ticks(lo - pad, hi + pad, 4)) {
      svg("text", { x: wx(tv), y: wfAxisY + 12, "font-size": 10, "text-anchor": "middle", class: "isw-muted" }, wfTicks).textContent = sc.fmt(tv);
    }
  }

  drawSetShares();
  drawSampleShares();
  drawWaterfall();
  drawPicked();
  const unsub = store.subscribe((s, changed) => {
    const has = (...keys) => changed.some((c) => keys.includes(c));
    if (has("cls", "indices", "filterClass", "filterLabel")) drawSetShares();
    if (has("cls", "sample")) { drawSampleShares(); drawWaterfall(); }
    if (has("pair")) drawPicked();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
