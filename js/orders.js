// Behaviour by interaction order: the share carried by single modalities, pairs and
// triples-and-beyond (Möbius dividends, js/mobius.js) for the whole dataset, the active
// (brushed or filtered) samples and the selected sample. Shown for M ≥ 3.

import { html, svg, attr, tooltip } from "./dom.js";
import { pct, fmtInt } from "./scales.js";
import { groupOrders } from "./mobius.js";
import { WHAT } from "./help.js";

const BAR = 34;

/** @param {HTMLElement} parent @param {any} ctx */
export function createOrders(parent, ctx) {
  const { m, store } = ctx;
  const box = html("div", { class: "isw-panel isw-orders" }, parent);
  html("div", { class: "isw-title", text: "Behaviour by interaction order", title: WHAT.orders }, box);
  if (!ctx.hasOrders) {
    html("div", { class: "isw-note", role: "note", style: "max-width:300px", text: ctx.meta.orders_note || "No Möbius values were sent." }, box);
    return { destroy: () => box.remove() };
  }
  const colours = ctx.dark ? ["#7aa6d6", "#ffb366", "#8cd17d"] : ["#4e79a7", "#f28e2b", "#59a14f"];
  const heads = ["1", "2", m > 3 ? "3+" : "3"];
  const what = ["single modalities (main effects)", "pairs", m > 3 ? `3 to ${m} modalities` : "all 3 modalities"];
  const table = html("table", { class: "isw-otable", "aria-label": "share of behaviour by interaction order" }, box);
  const hr = html("tr", {}, html("thead", {}, table));
  html("th", { scope: "col" }, hr);
  html("th", { scope: "col", text: "order", "aria-label": "stacked shares" }, hr);
  heads.forEach((h, g) => {
    const th = html("th", { scope: "col", title: `order ${h}: ${what[g]}` }, hr);
    html("span", { style: `color:${colours[g]}`, text: "■ " }, th);
    th.append(h);
  });
  html("th", { scope: "col", class: "isw-bars-pairs", text: "InterSHAP",
    title: "InterSHAP: the pairs' share in the bars (Shapley interactions, which split a 3-way effect over its pairs and modalities)" }, hr);
  const body = html("tbody", {}, table);
  const rows = {};
  for (const scope of ["dataset", "active", "sample"]) {
    const tr = html("tr", { "data-scope": scope }, body);
    const th = html("th", { scope: "row" }, tr);
    const bar = svg("svg", { width: BAR, height: 12, role: "img" }, html("td", {}, tr));
    const rects = colours.map((c) => svg("rect", { y: 1, height: 10, fill: c }, bar));
    const cells = heads.map((_, g) => html("td", { class: "isw-num", "data-order": heads[g] }, tr));
    const pairs = html("td", { class: "isw-num isw-bars-pairs", "data-what": "intershap" }, tr);
    rows[scope] = { tr, th, bar, rects, cells, pairs };
  }
  html("div", { class: "isw-note isw-what", style: "max-width:340px", text: "Each group size's pure effect (Möbius); not InterSHAP, see the last column.", title: WHAT.orders }, box);

  function fill(scope, label, shares, intershap) {
    const r = rows[scope];
    r.th.textContent = label;
    const grouped = groupOrders(shares, 3);
    let x = 0;
    grouped.forEach((v, g) => {
      const w = Number.isFinite(v) ? v * BAR : 0;
      attr(r.rects[g], { x, width: w });
      x += w;
      const detail = g === 2 && m > 3
        ? ` (${Array.from(shares.slice(2), (s, q) => `order ${q + 3}: ${pct(s)}`).join(", ")})` : "";
      const text = `${label}: ${pct(v)} of behaviour from ${what[g]}${detail}`;
      r.cells[g].textContent = pct(v);
      r.cells[g].setAttribute("data-value", String(v));
      r.cells[g].setAttribute("title", text);
      tooltip(r.rects[g], text);
    });
    r.bar.setAttribute("aria-label", `${label}: ${grouped.map((v, g) => `order ${heads[g]} ${pct(v)}`).join(", ")}`);
    r.pairs.textContent = pct(intershap);
    r.pairs.setAttribute("data-value", String(intershap));
    r.pairs.setAttribute("title", `${label}: InterSHAP ${pct(intershap)}, the pairs' share in the bars; order 2 above: ${pct(grouped[1])}`);
  }

  function drawSets() {
    const s = store.get();
    fill("dataset", `all ${fmtInt(ctx.n)}`, ctx.datasetOrders(s.cls), ctx.classAggregate(s.cls).intershap);
    const list = ctx.active(s);
    rows.active.tr.hidden = !list;
    if (list) fill("active", ctx.scopeLabel(s), ctx.activeOrders(s), ctx.aggregate(s).intershap);
  }

  function drawSample() {
    const s = store.get();
    fill("sample", `sample ${ctx.sampleName(s.sample)}`, ctx.sampleOrders(s.cls, s.sample), ctx.local(s.cls)[s.sample]);
  }

  drawSets();
  drawSample();
  const unsub = store.subscribe((s, changed) => {
    if (changed.some((c) => ["cls", "indices", "filterClass", "filterLabel"].includes(c))) drawSets();
    if (changed.some((c) => ["cls", "sample"].includes(c))) drawSample();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
