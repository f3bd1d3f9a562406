// Inside a modality: for the selected sample and the picked pair, the features of the
// explained modality i coloured by their part of φ_ij (a pair (i, j)), of φ_ii (the cell
// (i, i)) or of φ_i (no pair, or a pair without i). Patches over the image, highlighted
// tokens, or columns as sorted bars; a diverging key with the units. Draws from the
// synced traits only (_feature_*), so an exported page stays linked.

import { decodeArray } from "./buffers.js";
import { svg, html, clear, tooltip } from "./dom.js";
import { diverging, fmt, pm, textOn } from "./scales.js";

const SIDE = 240; // px of the image
const BAR_W = 300;
const ROW = 18;
const TOP = 12; // bars shown
const KEY_W = 220;
const TOKEN_STYLE = "display:inline-block;padding:1px 5px;margin:2px;border-radius:3px;border:1px solid rgba(128,128,128,.5);font-size:12px";

/**
 * What the picked pair asks of modality `i`: the row of the parts and its name.
 * @param {number[]} pair @param {number} i @param {number} m @param {string[]} names
 */
export function partRow(pair, i, m, names) {
  if (pair.length === 2 && (pair[0] === i || pair[1] === i)) {
    const j = pair[0] === i ? pair[1] : pair[0];
    return j === i ? { row: i, what: `main effect of ${names[i]}`, short: `φ(${names[i]}, ${names[i]})` }
      : { row: j, what: `φ of ${names[i]} × ${names[j]}`, short: `φ(${names[i]}, ${names[j]})` };
  }
  return { row: m, what: `φ of ${names[i]} (Shapley value)`, short: `φ(${names[i]})` };
}

/** Positions 0..G−1 ordered by decreasing |value|, the first `top`. */
export function largest(values, top) {
  return Array.from(values.keys()).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b).slice(0, top);
}

/** @param {HTMLElement} parent @param {any} ctx @param {any} model */
export function createDrilldown(parent, ctx, model) {
  const fm = model.get("_feature_meta") || {};
  if (!fm.n_features) return null;
  const { store, names, m } = ctx;
  const g = fm.n_features;
  const i = fm.modality;
  const parts = decodeArray(model.get("_feature_parts")).array;
  const se = decodeArray(model.get("_feature_se")).array;
  const image = decodeArray(model.get("_feature_image"));
  const box = html("div", { class: "isw-panel isw-drilldown", role: "region", "aria-label": `inside ${names[i]}` }, parent);
  const title = html("div", { class: "isw-title" }, box);
  const note = html("div", { class: "isw-note isw-what" }, box);
  const body = html("div", { class: "isw-drill-body" }, box);
  const key = svg("svg", { width: KEY_W, height: 30, class: "isw-drill-key", role: "img" }, box);
  const unitLine = html("div", { class: "isw-note isw-drill-unit", style: `max-width:${KEY_W}px;text-align:center` }, box);
  const sum = html("div", { class: "isw-note isw-drill-sum" }, box);
  const thumbs = new Map();

  const valuesOf = (a, row) => parts.subarray((a * (m + 1) + row) * g, (a * (m + 1) + row + 1) * g);
  const seOf = (a, row) => (se.length ? se.subarray((a * (m + 1) + row) * g, (a * (m + 1) + row + 1) * g) : null);

  function thumbnail(a) {
    if (!image.array.length) return null;
    if (!thumbs.has(a)) {
      const [, h, w] = image.shape;
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const c2 = canvas.getContext("2d");
      if (!c2) return null;
      const data = c2.createImageData(w, h);
      for (let p = 0; p < h * w; p++) {
        const v = image.array[a * h * w + p];
        data.data.set([v, v, v, 255], 4 * p);
      }
      c2.putImageData(data, 0, 0);
      thumbs.set(a, canvas.toDataURL());
    }
    return thumbs.get(a);
  }

  function describe(v, s, k) {
    return `${fm.names[k]}: ${fmt(v)}${s ? pm(s[k]) : ""}`;
  }

  function drawPatches(a, values, colour, s) {
    const [h, w] = fm.shape;
    const scale = SIDE / Math.max(h, w);
    const chart = svg("svg", { width: w * scale, height: h * scale, role: "img", class: "isw-drill-patches" }, body);
    const href = thumbnail(a);
    if (href) svg("image", { href, x: 0, y: 0, width: w * scale, height: h * scale, style: "image-rendering:pixelated" }, chart);
    const [rows, cols] = fm.grid || [1, g];
    for (let k = 0; k < g; k++) {
      // a patch's box: the pixels labelled k (a grid cell; "(rest)" has none)
      let r0 = h, r1 = -1, c0 = w, c1 = -1;
      for (let p = 0; p < h * w; p++) {
        if (fm.labels[p] !== k) continue;
        const r = Math.floor(p / w), c = p % w;
        r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c);
      }
      if (r1 < 0) continue;
      const rect = svg("rect", { x: c0 * scale, y: r0 * scale, width: (c1 - c0 + 1) * scale, height: (r1 - r0 + 1) * scale,
        fill: colour(values[k]), "fill-opacity": href ? 0.6 : 1, stroke: "currentColor", "stroke-opacity": 0.35,
        role: "img", class: "isw-drill-feature", "data-feature": k, "data-value": String(values[k]) }, chart);
      rect.setAttribute("aria-label", describe(values[k], s, k));
      tooltip(rect, describe(values[k], s, k));
    }
    chart.setAttribute("aria-label", `${rows} × ${cols} patches of ${names[i]}`);
  }

  function drawTokens(a, values, colour, s) {
    const line = html("div", { class: "isw-drill-tokens", role: "list" }, body);
    const tokens = fm.tokens ? fm.tokens[a] : fm.names;
    for (let k = 0; k < g; k++) {
      const bg = colour(values[k]);
      const span = html("span", { class: "isw-drill-feature isw-drill-token", role: "listitem", "data-feature": k,
        "data-value": String(values[k]), title: describe(values[k], s, k),
        style: `background:${bg};color:${textOn(bg)};${TOKEN_STYLE}`, text: tokens[k] }, line);
      span.setAttribute("aria-label", describe(values[k], s, k));
    }
  }

  function drawBars(values, colour, s) {
    const order = largest(values, TOP);
    const lim = Math.max(...order.map((k) => Math.abs(values[k])), 1e-300);
    const labelW = 110;
    const half = (BAR_W - labelW - 50) / 2;
    const chart = svg("svg", { width: BAR_W, height: order.length * ROW + 6, role: "img", class: "isw-drill-bars" }, body);
    const zero = labelW + half;
    svg("line", { x1: zero, x2: zero, y1: 0, y2: order.length * ROW, stroke: "currentColor", "stroke-opacity": 0.4 }, chart);
    order.forEach((k, r) => {
      const v = values[k];
      const len = (Math.abs(v) / lim) * half;
      svg("text", { x: labelW - 4, y: r * ROW + 13, "font-size": 11, "text-anchor": "end", class: "isw-label" }, chart).textContent =
        fm.names[k].length > 16 ? `${fm.names[k].slice(0, 15)}…` : fm.names[k];
      const rect = svg("rect", { x: v >= 0 ? zero : zero - len, y: r * ROW + 3, width: Math.max(len, 0.5), height: ROW - 6,
        fill: colour(v), stroke: "currentColor", "stroke-opacity": 0.25, role: "img", class: "isw-drill-feature",
        "data-feature": k, "data-value": String(v) }, chart);
      rect.setAttribute("aria-label", describe(v, s, k));
      tooltip(rect, describe(v, s, k));
      svg("text", { x: v >= 0 ? zero + len + 3 : zero - len - 3, y: r * ROW + 13, "font-size": 10,
        "text-anchor": v >= 0 ? "start" : "end", class: "isw-muted" }, chart).textContent = fmt(v, 3);
    });
    if (g > order.length) html("div", { class: "isw-note", text: `${g - order.length} smaller features not shown` }, body);
  }

  function drawKey(lim, colour, label) {
    clear(key);
    const id = `isw-drill-grad-${Math.random().toString(36).slice(2)}`;
    const grad = svg("linearGradient", { id }, svg("defs", {}, key));
    for (let t = 0; t <= 10; t++) svg("stop", { offset: `${t * 10}%`, "stop-color": colour(-lim + (2 * lim * t) / 10) }, grad);
    svg("rect", { x: 10, y: 4, width: KEY_W - 20, height: 10, fill: `url(#${id})`, stroke: "currentColor", "stroke-opacity": 0.3 }, key);
    [[10, -lim, "start"], [KEY_W / 2, 0, "middle"], [KEY_W - 10, lim, "end"]].forEach(([x, v, anchor]) => {
      svg("text", { x, y: 26, "font-size": 10, "text-anchor": anchor, class: "isw-muted" }, key).textContent = fmt(v, 2);
    });
    unitLine.textContent = label;
    key.setAttribute("aria-label", `colour key: ${label}, from ${fmt(-lim, 2)} to ${fmt(lim, 2)}`);
  }

  function draw() {
    const s = store.get();
    const a = s.sample;
    const { row, what, short } = partRow(s.pair, i, m, names);
    const values = valuesOf(a, row);
    const errs = seOf(a, row);
    let lim = 0;
    for (const v of values) lim = Math.max(lim, Math.abs(v));
    const colour = diverging(lim || 1, ctx.mid);
    title.textContent = `Inside ${names[i]}: sample ${ctx.sampleName(a)}`;
    const own = s.cls === ctx.ownClass;
    note.textContent = `Each feature's part of the ${what}` + (own ? "." : `, for ${ctx.classNames[ctx.ownClass]} (the features were explained for it).`)
      + (s.pair.length === 2 && row === m ? ` Pick a pair with ${names[i]} to split its interaction.` : "");
    clear(body);
    if (fm.kind === "patches" && fm.labels) drawPatches(a, values, colour, errs);
    else if (fm.kind === "tokens" || fm.tokens) drawTokens(a, values, colour, errs);
    else drawBars(values, colour, errs);
    const unit = ctx.quantity(ctx.ownClass);
    drawKey(lim || 1, colour, `part of ${short} per feature, in ${unit}`);
    let total = 0;
    for (const v of values) total += v;
    sum.textContent = `The ${g} parts add up to ${fmt(total)}${fm.sampled ? " (sampled; ± one standard error in the tooltips)" : ""}.`;
    sum.setAttribute("data-sum", String(total));
  }

  draw();
  const unsub = store.subscribe((_, changed) => {
    if (changed.some((c) => ["sample", "pair", "cls"].includes(c))) draw();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
