// Class selector (when the result holds several classes) and the summary line:
// global and local InterSHAP of the active samples (with their confidence intervals
// when the result carries them), N, M and the target.

import { html } from "./dom.js";
import { pm, pctOr, interval, fmtInt } from "./scales.js";

const NO_BEHAVIOUR = "no behaviour";

/** @param {HTMLElement} parent @param {any} ctx */
export function createSummary(parent, ctx) {
  const { store, classNames } = ctx;
  const box = html("div", { class: "isw-summary", role: "group", "aria-label": "summary" }, parent);
  let select = null;
  if (classNames.length > 1) {
    const lab = html("label", { text: "class " }, box);
    select = html("select", { "aria-label": "class to explain", class: "isw-class", "data-lm-suppress-shortcuts": "true" }, lab);
    // the result's own values (each sample's predicted class) first: the numbers res.summary() reports
    const own = ctx.ownClass;
    const order = [own, ...classNames.map((_, q) => q).filter((q) => q !== own)];
    for (const q of order) {
      const text = classNames[q];
      html("option", { value: q, text, title: q === own && classNames.length > 2 ? "each sample's own predicted class: the numbers of res.summary()" : text }, select);
    }
    select.addEventListener("change", () => store.set({ cls: Number(select.value) }));
  }
  const line = html("span", { class: "isw-line", "aria-live": "polite" }, box);

  function draw() {
    const s = store.get();
    if (select) select.value = String(s.cls);
    const agg = ctx.aggregate(s);
    const active = ctx.active(s);
    const loc = ctx.localMean(s);
    const iv = ctx.intervals(s);
    const why = ctx.nanReason(s) || "Φ is zero for these samples: the model's output does not change when modalities are removed, so no share can be computed.";
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
    const ivNote = iv ? `; [ ]: ${Math.round(100 * iv.level)} % confidence interval` : "";
    const gi = part("InterSHAP", pctOr(agg.intershap, NO_BEHAVIOUR) + (se ? pm(se.intershap, se.bound, "pct") : "") + (iv ? interval(iv.intershap) : ""),
      Number.isFinite(agg.intershap)
        ? `global InterSHAP: the interactions' share of Φ, ${ctx.scopeLabel(s)}${se ? `, ± one standard error in percentage points${boundNote}` : ""}${ivNote}`
        : why);
    gi.classList.add("isw-headline");
    gi.setAttribute("data-value", String(agg.intershap));
    if (se) gi.setAttribute("data-se", String(se.intershap));
    part("local mean", pctOr(loc, NO_BEHAVIOUR) + (se ? pm(se.local, se.bound, "pct") : "") + (iv ? interval(iv.local) : ""),
      Number.isFinite(loc) ? `mean of every sample's own InterSHAP (local InterSHAP)${boundNote}${ivNote}` : why);
    part("N", active ? `${fmtInt(active.length)} of ${fmtInt(ctx.n)}` : fmtInt(ctx.n), "samples the global numbers use");
    part("M", String(ctx.m), "modalities");
    if (ctx.sampled) {
      const sm = ctx.sampled;
      html("span", { class: "isw-note", text: `sampled: ${fmtInt(sm.n_evaluations)} of ${fmtInt(sm.n_coalitions)} coalitions per sample; ${sm.has_se === false ? "no standard errors at this budget (too few draws per coalition size; see isw.reliable_budget)" : "± one standard error"}`,
        title: "from isw.sample_explain / sample_interactions: every value is an estimate with its standard error" }, line);
    } else if (!select) html("span", { class: "isw-note", text: target }, line);
  }
  draw();
  const unsub = store.subscribe((s, changed) => {
    if (changed.some((c) => ["cls", "indices", "filterClass", "filterLabel"].includes(c))) draw();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
