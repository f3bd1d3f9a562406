// The sample selector's controls: ◀ / number / ▶, the filter menus (the model's
// prediction, the label), "clear brush", the count of active samples, and the view
// row: the x axis, pan and reset zoom.

import { html } from "./dom.js";

/**
 * @param {HTMLElement} box the selector's panel @param {any} ctx
 * @returns {{prev, next, input, clear, count, axis, reset, panMode: () => boolean, sync: (s, changed) => void}}
 */
export function createSelectorControls(box, ctx) {
  const { store, n } = ctx;
  const controls = html("div", { class: "isw-controls" }, box);
  const prev = html("button", { type: "button", "aria-label": "previous sample", title: "previous active sample", text: "◀" }, controls);
  // JupyterLab's notebook shortcuts would take Enter and the arrows: suppress them here
  const range = ctx.renumbered ? {} : { min: 0, max: n - 1 };
  const input = html("input", { type: "number", ...range, step: 1, "aria-label": ctx.renumbered ? "sample number (original index)" : "sample number",
    title: "type a sample number and press Enter", "data-lm-suppress-shortcuts": "true" }, controls);
  const next = html("button", { type: "button", "aria-label": "next sample", title: "next active sample", text: "▶" }, controls);
  const selects = [];
  // "predicted as", not "predicted class": the class menu's "predicted class" is another thing
  if (ctx.pclassNames.length) selects.push(["filterClass", "model's prediction", "predicted as", "any prediction", ctx.pclassNames]);
  if (ctx.labelNames.length) selects.push(["filterLabel", "label", "label", "any label", ctx.labelNames]);
  const selectEls = {};
  for (const [key, what, prefix, any, opts] of selects) {
    const sel = html("select", { "aria-label": `filter by ${what}`, "data-lm-suppress-shortcuts": "true" }, controls);
    html("option", { value: -1, text: any }, sel);
    opts.forEach((o, q) => html("option", { value: q, text: `${prefix}: ${o}`, title: o }, sel));
    sel.value = String(store.get()[key]);
    sel.addEventListener("change", () => store.set({ [key]: Number(sel.value), indices: [] }));
    selectEls[key] = sel;
  }
  const row = html("div", { class: "isw-controls" }, box);
  const clear = html("button", { type: "button", text: "clear brush", "aria-label": "clear the brushed subset" }, row);

  const label = html("label", { text: "x: " }, row);
  const axis = html("select", { "aria-label": "x axis of the scatter", class: "isw-axis-mode", "data-lm-suppress-shortcuts": "true",
    title: "prediction, its log-odds (spreads probabilities near 0 and 1), or its rank" }, label);
  const pan = html("button", { type: "button", "aria-pressed": "false", text: "✥ pan", title: "drag pans instead of brushing (or hold Shift)" }, row);
  const reset = html("button", { type: "button", text: "reset zoom", "aria-label": "reset the zoom", title: "whole plot (or double-click, or 0)" }, row);
  html("span", { class: "isw-note isw-what", text: "wheel: zoom", title: "click: pick a sample · drag: brush a subset · Shift+drag or ✥ pan: pan · wheel, + and −: zoom · double-click or 0: whole plot · arrows: step" }, row);
  const count = html("span", { class: "isw-note isw-count", "aria-live": "polite" }, row);
  pan.addEventListener("click", () => pan.setAttribute("aria-pressed", String(pan.getAttribute("aria-pressed") !== "true")));
  return {
    prev, next, input, clear, count, axis, reset,
    panMode: () => pan.getAttribute("aria-pressed") === "true",
    /** Keep the filter menus in step with the store. */
    sync(s, changed) {
      for (const [key, sel] of Object.entries(selectEls)) if (changed.includes(key)) sel.value = String(s[key]);
    },
  };
}
