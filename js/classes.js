// Class selector (when the result holds several classes) and the summary line:
// global and local InterSHAP of the active samples, N, M and the target.

import { html } from "./dom.js";
import { pct, pm } from "./scales.js";

/** @param {HTMLElement} parent @param {any} ctx */
export function createSummary(parent, ctx) {
  const { store, classNames } = ctx;
  const box = html("div", { class: "isw-summary", role: "group", "aria-label": "summary" }, parent);
  let select = null;
  if (classNames.length > 1) {
    const lab = html("label", { text: "class " }, box);
    select = html("select", { "aria-label": "class to explain", class: "isw-class" }, lab);
    classNames.forEach((c, q) => html("option", { value: q, text: c }, select));
    select.addEventListener("change", () => store.set({ cls: Number(select.value) }));
  }
  const line = html("span", { class: "isw-line", "aria-live": "polite" }, box);

  function draw() {
    const s = store.get();
    if (select) select.value = String(s.cls);
    const agg = ctx.aggregate(s);
    const active = ctx.active(s);
    const loc = ctx.localMean(s);
    const target = classNames.length > 1 ? `class ${classNames[s.cls]}` : `target ${ctx.meta.target === classNames[0] ? classNames[0] : `${ctx.meta.target} (${classNames[0]})`}`;
    line.innerHTML = "";
    const part = (label, value, title) => {
      const sp = html("span", { title }, line);
      sp.append(`${label} `);
      html("b", { text: value }, sp);
      line.append("  ");
      return sp;
    };
    const se = ctx.scoreSe(s);
    const boundNote = se?.bound ? "; ± ≤: a bound (the sampler's own standard error covers all samples only)" : "";
    const gi = part("InterSHAP", pct(agg.intershap) + (se ? pm(se.intershap, se.bound, "pct") : ""),
      `global InterSHAP: interaction share of Φ (paper Eq. 8)${se ? `, ± one standard error in percentage points${boundNote}` : ""}`);
    gi.setAttribute("data-value", String(agg.intershap));
    if (se) gi.setAttribute("data-se", String(se.intershap));
    part("local mean", pct(loc) + (se ? pm(se.local, se.bound, "pct") : ""), `mean of the per-sample InterSHAP scores (paper Eq. 10)${boundNote}`);
    part("N", active ? `${active.length} of ${ctx.n}` : String(ctx.n), "samples the global numbers use");
    part("M", String(ctx.m), "modalities");
    if (ctx.sampled) {
      const sm = ctx.sampled;
      html("span", { class: "isw-note", text: `sampled: ${sm.n_evaluations} of ${sm.n_coalitions} coalitions per sample; ${sm.has_se === false ? "no standard errors at this budget (too few draws per coalition size; see isw.reliable_budget)" : "± one standard error"}`,
        title: "from isw.sample_explain / sample_interactions: every value is an estimate with its standard error" }, line);
    } else if (!select) html("span", { class: "isw-note", text: target }, line);
  }
  draw();
  const unsub = store.subscribe((s, changed) => {
    if (changed.some((c) => ["cls", "indices", "filterClass", "filterLabel"].includes(c))) draw();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
