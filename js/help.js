// The explorer's optional help: a "?" button that opens a short guide to every panel,
// in words a student can follow (Escape or the button closes it).

import { html } from "./dom.js";

/** What each panel shows; also the source of the one-line captions under the panels. */
export const WHAT = {
  phi: "Φ = |mean φ| over the active samples: how much each modality alone (diagonal) and each pair together (off-diagonal) moves the prediction, on average. Φ is never negative: the redder a cell, the larger Φ (in both themes).",
  sample: "φ of the selected sample, with its sign: red cells push this sample's prediction up, blue cells push it down. All cells add up to prediction − base value.",
  bars: "Each bar is one term's share of all behaviour ΣΦ (a pair counts twice, for its two cells). The pair bars add up to InterSHAP.",
  waterfall: "From the base value v(∅) (no modality present) step by step, main effects then pairs, to the sample's prediction v(N).",
  selector: "One dot per sample: its local InterSHAP (how much of its own |φ| comes from pairs) against its prediction. Pick one to see it everywhere.",
  pair: "How one term's φ is spread over the active samples, with the selected sample marked.",
  orders: "How much of the behaviour comes from single modalities, from pairs, and from three or more modalities acting together, each group's pure joint effect (Möbius). The bars use Shapley interactions instead, which split a 3-way effect over its pairs and modalities: so order 2 here and InterSHAP (the bars' pairs, shown in the last column) are different quantities and differ whenever there are 3-way effects.",
};

const GUIDE = [
  ["InterSHAP", "the share of the model's behaviour that comes from modalities working together (interactions) rather than each on its own. 0 %: every modality acts alone; 100 %: only combinations matter."],
  ["Local InterSHAP", "the same share for one sample; the local mean averages it over the samples."],
  ["φ (phi)", "a sample's interaction matrix: diagonal φᵢᵢ = modality i on its own, off-diagonal φᵢⱼ = half of the extra effect of i and j together. It is signed."],
  ["Φ (capital phi)", "|mean φ| over samples: the dataset-level size of each term, always ≥ 0. InterSHAP = off-diagonal Φ / all of Φ."],
  ["Share of behaviour", "a term's part of ΣΦ; the bars of all terms add up to 100 %, the pair bars to InterSHAP."],
  ["By interaction order", "the pure effect of each group size (Möbius); its order 2 is not InterSHAP when three or more modalities act together (see its last column)."],
  ["Selecting", "click a dot (or type its number and press Enter) to pick a sample; drag to brush a subset (the global numbers then use only it); the wheel zooms the scatter, Shift+drag pans; click a cell or a bar (or Tab to it and press Enter) to pick a pair; the class menu switches the explained class; the filters keep only samples the model predicts as a class or with a label."],
];

/** @param {HTMLElement} bar where the button goes @param {HTMLElement} root @param {any} ctx */
export function createHelp(bar, root, ctx) {
  const btn = html("button", { type: "button", class: "isw-help-btn", "aria-expanded": "false", "aria-controls": "", text: "? what am I looking at", title: "a short guide to every panel" }, bar);
  const box = html("div", { class: "isw-help", role: "dialog", "aria-label": "guide to the explorer", hidden: "" }, null);
  bar.after(box);
  html("div", { class: "isw-title", text: "What am I looking at?" }, box);
  const dl = html("dl", {}, box);
  for (const [term, text] of GUIDE) {
    html("dt", { text: term }, dl);
    html("dd", { text }, dl);
  }
  const panels = html("ul", {}, box);
  const names = [["Φ heatmap", WHAT.phi], ["φ heatmap", WHAT.sample], ["bars", WHAT.bars], ["waterfall", WHAT.waterfall], ["samples", WHAT.selector], ["pair", WHAT.pair]];
  if (ctx.m >= 3) names.push(["by order", WHAT.orders]);
  for (const [name, text] of names) {
    const li = html("li", {}, panels);
    html("b", { text: `${name}: ` }, li);
    li.append(text);
  }
  const close = html("button", { type: "button", text: "close", class: "isw-help-close" }, box);
  const set = (open) => {
    box.hidden = !open;
    btn.setAttribute("aria-expanded", String(open));
    if (open) close.focus();
  };
  btn.addEventListener("click", () => set(box.hidden));
  close.addEventListener("click", () => { set(false); btn.focus(); });
  box.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { set(false); btn.focus(); ev.stopPropagation(); } });
  return { destroy: () => { btn.remove(); box.remove(); } };
}
