// Entry point of the InterSHAP explorer (anywidget): decodes the synced arrays,
// builds the shared store and mounts one module per view.

import { decodeArray } from "./buffers.js";
import * as agg from "./aggregate.js";
import * as mob from "./mobius.js";
import * as errs from "./errors.js";
import { createStore, bindModel, fromModel } from "./store.js";
import { html } from "./dom.js";
import { fmtInt } from "./scales.js";
import { createHelp } from "./help.js";
import { injectStyle, isDark } from "./theme.js";
import { createHeatmap } from "./heatmap.js";
import { createBars } from "./bars.js";
import { createSelector } from "./selector.js";
import { createSummary } from "./classes.js";
import { createPairDistribution } from "./pairdist.js";
import { createOrders } from "./orders.js";
import { createDrilldown } from "./drilldown.js";
import { chooseLayout, relayoutNeeded, widthOf } from "./layout.js";

/** Data access and memoised aggregation shared by the views. */
export function createContext(model, store, dark, width = 1200) {
  const meta = model.get("_meta") || {};
  const m = meta.n_modalities;
  const n = meta.n_samples;
  const k = (m * (m + 1)) / 2;
  const phi = decodeArray(model.get("_phi")).array;
  const pred = decodeArray(model.get("_pred")).array;
  const base = decodeArray(model.get("_base")).array;
  const pclass = decodeArray(model.get("_pclass")).array;
  const label = decodeArray(model.get("_label")).array;
  const div = decodeArray(model.get("_mobius")).array;
  const phiSe = decodeArray(model.get("_phi_se")).array;
  const globalSe = decodeArray(model.get("_global_se")).array;
  const localSe = decodeArray(model.get("_local_se")).array;
  const index = decodeArray(model.get("_index")).array; // original sample numbers of a slice
  const phiCi = decodeArray(model.get("_phi_ci")).array; // (2, K) low/high of Φ's interval
  const iv = meta.intervals || {};
  let positions = null;
  const d = (1 << m) - 1;
  let seMemo = { list: undefined, value: null };
  const localCache = new Map();
  const termCache = new Map();
  let filtMemo = { key: null, list: null };
  let activeMemo = { indices: null, filt: undefined, list: null, version: 0 };
  let aggMemo = { cls: -1, list: undefined, value: null };

  const memos = new Map();
  /** A value computed once per key (per-class numbers of all samples). */
  function memo(key, make) {
    if (!memos.has(key)) memos.set(key, make());
    return memos.get(key);
  }

  const ctx = {
    meta, m, n, k, store, dark,
    names: meta.modality_names,
    classNames: meta.class_names,
    pclassNames: pclass.length ? meta.pclass_names : [],
    labelNames: label.length ? meta.label_names : [],
    pairs: agg.termPairs(m),
    mid: dark ? [70, 70, 70] : [247, 247, 247],
    colours: dark
      ? { set: "#64b5f6", sample: "#ffb74d", brush: "#f06292", faint: "#888", pos: "#ef5350", neg: "#42a5f5", total: "#bdbdbd", text: "#ddd", grid: "#777" }
      : { set: "#1976d2", sample: "#e65100", brush: "#c2185b", faint: "#9e9e9e", pos: "#c62828", neg: "#1565c0", total: "#616161", text: "#333", grid: "#aaa" },
    /** The sample's number as the user knows it: its original index for a slice. */
    sampleNumber: (a) => (index.length === n ? index[a] : a),
    sampleName: (a) => `#${fmtInt(ctx.sampleNumber(a))}`,
    /** Position of the sample numbered `num` (−1 when none). */
    positionOf(num) {
      if (index.length !== n) return Number.isInteger(num) && num >= 0 && num < n ? num : -1;
      if (!positions) { positions = new Map(); index.forEach((v, a) => positions.set(v, a)); }
      return positions.get(num) ?? -1;
    },
    renumbered: index.length === n,
    /** What v(S) is for class entry `c` ("P(predicted class)", "raw output of dog", …). */
    quantity: (c) => (meta.quantities && meta.quantities[c]) || "value",
    /** Whether the values are probabilities (the scatter then offers a logit axis). */
    probability: meta.output === "probability",
    /** Room for label columns (px), from the width the explorer is given. */
    labelRoom: { heatmap: clamp(0.1 * width, 90, 200), bars: clamp(0.13 * width, 110, 260) },
    warmHooks: [],
    ownClass: meta.own_class ?? meta.class_names.length - 1,
    /** Intervals of the result's own scores, when they describe what is shown (all samples, own class). */
    intervals(s) {
      if (!iv.level || s.cls !== ctx.ownClass || ctx.active(s)) return null;
      const k2 = phiCi.length === 2 * k ? (t) => [phiCi[t], phiCi[k + t]] : null;
      return { level: iv.level, intershap: iv.intershap, local: iv.local_mean, term: k2 };
    },
    nanReason: (s) => (s.cls === ctx.ownClass && !ctx.active(s) ? iv.nan_reason || "" : ""),
    predictions: (c) => pred.subarray(c * n, (c + 1) * n),
    predOf: (c, a) => pred[c * n + a],
    baseOf: (c, a) => base[c * n + a],
    sampleMatrix: (c, a) => agg.sampleMatrix(phi, (c * n + a) * k, m),
    local(c) {
      if (!localCache.has(c)) localCache.set(c, agg.localScores(phi, c * n * k, n, m));
      return localCache.get(c);
    },
    termValues(c, t) {
      const key = `${c}|${t}`;
      if (!termCache.has(key)) {
        const out = new Float32Array(n);
        for (let a = 0, o = c * n * k + t; a < n; a++, o += k) out[a] = phi[o];
        termCache.set(key, out);
      }
      return termCache.get(key);
    },
    /** Samples passing the class/label filters (ascending Int32Array), or null = all. */
    filtered(s) {
      const key = `${s.filterClass}|${s.filterLabel}`;
      if (filtMemo.key !== key) {
        let list = null;
        if (s.filterClass >= 0 || s.filterLabel >= 0) {
          const out = [];
          for (let a = 0; a < n; a++) {
            if (s.filterClass >= 0 && pclass[a] !== s.filterClass) continue;
            if (s.filterLabel >= 0 && label[a] !== s.filterLabel) continue;
            out.push(a);
          }
          list = Int32Array.from(out);
        }
        filtMemo = { key, list };
      }
      return filtMemo.list;
    },
    /** Whether sample `a` passes the class/label filters. */
    passes: (s, a) => (s.filterClass < 0 || pclass[a] === s.filterClass) && (s.filterLabel < 0 || label[a] === s.filterLabel),
    /**
     * The samples the global numbers use (one rule, the same as InterSHAPWidget.active_indices):
     * the brushed samples that pass the filters when something is brushed, else the
     * samples passing the filters; null = all.
     */
    active(s) {
      const filt = ctx.filtered(s);
      if (activeMemo.indices !== s.indices || activeMemo.filt !== filt) {
        let list = filt;
        if (s.indices.length) {
          const sorted = Int32Array.from(new Set(s.indices)).sort();
          list = filt ? sorted.filter((a) => ctx.passes(s, a)) : sorted;
        }
        activeMemo = { indices: s.indices, filt, list, version: activeMemo.version + 1 };
      }
      return activeMemo.list;
    },
    activeVersion(s) { ctx.active(s); return activeMemo.version; },
    aggregate(s) {
      const list = ctx.active(s);
      if (!list) return ctx.classAggregate(s.cls); // all samples: kept per class
      if (aggMemo.cls !== s.cls || aggMemo.list !== list) {
        aggMemo = { cls: s.cls, list, value: agg.aggregate(phi, s.cls * n * k, n, m, list) };
      }
      return aggMemo.value;
    },
    classAggregate: (c) => memo(`agg${c}`, () => agg.aggregate(phi, c * n * k, n, m, null)),
    memo,
    localMean: (s) => (ctx.active(s) ? agg.nanMean(ctx.local(s.cls), ctx.active(s)) : ctx.classLocalMean(s.cls)),
    classLocalMean: (c) => memo(`localMean${c}`, () => agg.nanMean(ctx.local(c), null)),
    // ---- behaviour by order (Möbius dividends; absent for M < 3, sampled or huge results)
    hasOrders: !meta.orders_note && div.length === meta.class_names.length * n * d,
    datasetOrders: (c) => memo(`orders${c}`, () => mob.globalOrderShares(div, c * n * d, n, m, null)),
    activeOrders: (s) => mob.globalOrderShares(div, s.cls * n * d, n, m, ctx.active(s)),
    sampleOrders: (c, a) => mob.sampleOrderShares(div, (c * n + a) * d, m),
    // ---- standard errors of a sampled result (null for an exact one)
    sampled: meta.sampled || null,
    /** Per-term se of the active samples' Φ: the sampler's own for all samples, else a bound. */
    termSe(s) {
      if (!meta.sampled) return null;
      const list = ctx.active(s);
      if (!list) return { se: globalSe, bound: false };
      if (seMemo.list !== list) seMemo = { list, value: { se: errs.meanSe(phiSe, 0, n, m, list), bound: true } };
      return seMemo.value;
    },
    sampleSe: (a) => (meta.sampled ? phiSe.subarray(a * k, (a + 1) * k) : null),
    localSe: (a) => (meta.sampled ? localSe[a] : NaN),
    /** ± of the active samples' InterSHAP and local mean: {intershap, local, bound} or null. */
    scoreSe(s) {
      if (!meta.sampled) return null;
      const list = ctx.active(s);
      if (!list) return { intershap: meta.sampled.intershap_se, local: meta.sampled.local_mean_se, bound: false };
      const terms = agg.globalTerms(phi, 0, n, m, list);
      return {
        intershap: errs.intershapSeBound(terms, ctx.termSe(s).se, m),
        local: agg.nanMean(localSe, list),
        bound: true,
      };
    },
    scopeLabel(s) {
      const list = ctx.active(s);
      if (!list) return `all ${fmtInt(n)} samples`;
      return s.indices.length ? `${fmtInt(list.length)} brushed` : `${fmtInt(list.length)} filtered`;
    },
  };
  return ctx;
}

const clamp = (v, lo, hi) => Math.round(Math.max(lo, Math.min(hi, v)));

/**
 * After the first frame, compute the per-class numbers of the other classes one class
 * per idle slice, so that a first switch to a class is as quick as a later one.
 */
function warmUp(ctx) {
  const classes = ctx.classNames.map((_, c) => c).filter((c) => c !== ctx.store.get().cls);
  const idle = globalThis.requestIdleCallback ?? ((f) => setTimeout(f, 50));
  const next = () => {
    const c = classes.shift();
    if (c === undefined) return;
    ctx.local(c);
    ctx.classAggregate(c);
    ctx.classLocalMean(c);
    if (ctx.hasOrders) ctx.datasetOrders(c);
    for (const hook of ctx.warmHooks) hook(c);
    idle(next);
  };
  idle(next);
}

/** Mount every view into `root` for `width` px; returns the cleanup and the layout used. */
function mount(model, root, dark, width, persist) {
  root.classList.toggle("isw-dark", dark);
  const meta = model.get("_meta") || {};
  if (meta.error || !meta.n_samples) {
    html("div", { class: "isw-error", role: "alert", text: meta.error || "This result holds no samples." }, root);
    return { cleanup: () => { root.textContent = ""; }, plan: null };
  }
  let views = [];
  let unbind = () => {};
  let plan = null;
  try {
    const names = { pclass: meta.pclass_names || [], label: meta.label_names || [] };
    const store = createStore(fromModel(model, names));
    const ctx = createContext(model, store, dark, width);
    ctx.persist = persist;
    const top = html("div", { class: "isw-top" }, root);
    views.push(createSummary(top, ctx));
    views.push(createHelp(top, root, ctx));
    // one grid; which panels share a row depends on the width (js/layout.js)
    const grid = html("div", { class: "isw-grid" }, root);
    const slot = (area) => html("div", { class: `isw-area isw-area-${area}` }, grid);
    const heat = slot("heat");
    const bars = slot("bars");
    const scatter = slot("scatter");
    const pair = slot("pair");
    const orders = slot("orders");
    views.push(createHeatmap(heat, ctx));
    views.push(createBars(bars, ctx));
    views.push(createPairDistribution(pair, ctx));
    if (ctx.m >= 3) views.push(createOrders(orders, ctx));
    root.classList.add("isw-measure");
    const side = Math.max(widthOf(pair, 300), ctx.m >= 3 ? widthOf(orders, 280) : 0);
    const widths = { heat: widthOf(heat, 480), bars: widthOf(bars, 340), side };
    // not laid out (hidden, or the page restyling): estimates, measured again once shown
    const estimated = !heat.getBoundingClientRect().width;
    plan = { ...chooseLayout(width - 18, widths), widths, estimated };
    root.classList.remove("isw-measure");
    root.dataset.layout = plan.name;
    root.dataset.room = `${Math.round(width)}: heat ${widths.heat}, bars ${widths.bars}, side ${widths.side}`;
    ctx.scatterWidth = plan.scatter;
    let selector = createSelector(scatter, ctx);
    // measured widths are estimates (fonts, controls): if the grid sticks out, a narrower scatter
    const over = overflow(root, grid);
    if (over > 0 && plan.name !== "single") {
      selector.destroy();
      ctx.scatterWidth = plan.scatter = Math.max(240, plan.scatter - over);
      selector = createSelector(scatter, ctx);
    }
    views.push(selector);
    const drill = createDrilldown(slot("drill"), ctx, model); // features inside a modality (a FeatureResult)
    if (drill) views.push(drill);
    unbind = bindModel(store, model, names);
    warmUp(ctx);
  } catch (err) {
    for (const v of views) v.destroy();
    views = [];
    root.textContent = "";
    html("div", { class: "isw-error", role: "alert", text: `The explorer could not draw this result: ${err?.message ?? err}` }, root);
  }
  const cleanup = () => {
    unbind();
    for (const v of views) v.destroy();
    root.textContent = "";
  };
  return { cleanup, plan };
}

/** How many px the grid's panels stick out of the root's content box (0 when none, or not laid out). */
function overflow(root, grid) {
  const r = root.getBoundingClientRect();
  if (!r.width) return 0;
  let right = 0;
  for (const e of grid.children) right = Math.max(right, e.getBoundingClientRect().right);
  return Math.ceil(right - (r.right - 8));
}

/** The width the explorer can use: its element's, else the page's. */
function available(el) {
  return el.getBoundingClientRect().width || el.ownerDocument.documentElement.clientWidth || 1200;
}

/** anywidget entry: draw the explorer into `el`; returns the cleanup. */
function render({ model, el }) {
  injectStyle(el.ownerDocument);
  const root = html("div", { class: "isw-root", role: "region", "aria-label": "InterSHAP explorer" }, el);
  const persist = {}; // the scatter's axis and zoom across redraws
  let dark = isDark(el);
  let width = available(el);
  let current = null;
  let settle = 0;
  let tries = 0;
  // drawn while hidden (a theme switch restyling the page, a collapsed output): draw again
  // once the explorer has a width, so that the layout uses measured panel widths
  const check = () => {
    if (el.getBoundingClientRect().width > 0 && root.isConnected) { width = available(el); redraw(); }
    else if (tries++ < 40) settle = setTimeout(check, 250);
  };
  const redraw = () => {
    current?.cleanup();
    current = mount(model, root, dark, width, persist);
    clearTimeout(settle);
    if (current.plan?.estimated && tries++ < 40) settle = setTimeout(check, 250);
  };
  redraw();
  // JupyterLab flips this attribute when the theme changes: redraw canvas colours.
  const body = el.ownerDocument.body;
  const watch = new MutationObserver(() => {
    const now = isDark(el);
    if (now !== dark) { dark = now; redraw(); }
  });
  watch.observe(body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  // a new width: lay the panels out again when another layout (or scatter size) fits better
  let timer = 0;
  const resize = globalThis.ResizeObserver ? new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const w = available(el);
      if (!current.plan || Math.abs(w - width) < 8) return;
      width = w;
      if (relayoutNeeded(current.plan, chooseLayout(w - 18, current.plan.widths))) redraw();
    }, 200);
  }) : null;
  resize?.observe(el);
  return () => {
    watch.disconnect();
    resize?.disconnect();
    clearTimeout(timer);
    clearTimeout(settle);
    current.cleanup();
    root.remove();
  };
}

export default { render };
