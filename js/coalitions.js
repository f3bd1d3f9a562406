// Teaching widget: one row per coalition S with a slider and a number input for v(S).
// Rows light up (with the sign they enter a formula with) when a terms-table row is
// hovered; hovering a row here lights up the table rows that use that coalition.

import { html } from "./dom.js";
import { subsetsOf } from "./game.js";
import { fmt } from "./scales.js";

const show = (v) => String(+v.toPrecision(4)); // shown rounded; the trait keeps every digit

/** Slider half-range: at least 1, enough for every value. */
function rangeOf(values) {
  let r = 1;
  for (const v of values) r = Math.max(r, Math.ceil(Math.abs(v)));
  return r;
}

/** @param {HTMLElement} parent @param {any} ctx */
export function createCoalitions(parent, ctx) {
  const { m, store } = ctx;
  const box = html("div", { class: "isw-panel isw-coalitions" }, parent);
  html("div", { class: "isw-title", text: "Coalition values v(S)" }, box);
  html("div", { class: "isw-note", text: "Drag a slider or type a value: everything else follows." }, box);
  const grid = html("div", { class: "isw-coal-grid", role: "group", "aria-label": "coalition values" }, box);
  let range = rangeOf(store.get().values);

  const rows = subsetsOf((1 << m) - 1, m).map((s) => {
    const name = ctx.label(s);
    const row = html("div", { class: "isw-coal", "data-mask": s }, grid);
    const sign = html("span", { class: "isw-coal-sign", "aria-hidden": "true" }, row);
    html("span", { class: "isw-coal-label", text: `v(${name})` }, row);
    const cell = html("span", { class: "isw-coal-range" }, row); // a range input paints no background of its own
    // data-lm-suppress-shortcuts: JupyterLab's notebook keys (arrows, Enter) stay with the inputs
    const slider = html("input", { type: "range", class: "isw-coal-slider", step: 0.05, "aria-label": `v(${name}) slider`, "data-mask": s, "data-lm-suppress-shortcuts": "true" }, cell);
    const input = html("input", { type: "number", class: "isw-coal-input", step: 0.1, "aria-label": `v(${name})`, "data-mask": s, "data-lm-suppress-shortcuts": "true" }, row);
    slider.addEventListener("input", () => edit(s, Number(slider.value), slider));
    input.addEventListener("input", () => {
      if (input.value.trim() === "") return;
      const v = Number(input.value);
      if (Number.isFinite(v)) edit(s, v, input);
    });
    input.addEventListener("change", () => { if (!Number.isFinite(Number(input.value)) || input.value.trim() === "") draw(); });
    row.addEventListener("mouseenter", () => store.set({ hover: { coalitions: [s], signs: [0], from: "coalition" } }));
    row.addEventListener("mouseleave", () => store.set({ hover: null }));
    return { s, row, sign, slider, input };
  });

  function edit(s, v, source) {
    const values = store.get().values.slice();
    values[s] = v;
    ctx.setValues(values, source);
  }

  function draw(source = null) {
    const { values } = store.get();
    if (source?.type !== "range") range = rangeOf(values);
    for (const r of rows) {
      const v = values[r.s];
      r.slider.min = String(-range);
      r.slider.max = String(range);
      if (r.slider !== source) r.slider.value = String(v);
      if (r.input !== source) r.input.value = show(v);
      r.row.title = `v(${ctx.label(r.s)}) = ${fmt(v)}`;
    }
  }

  function drawHover() {
    const h = store.get().hover;
    for (const r of rows) {
      const q = h && h.from !== "coalition" ? h.coalitions.indexOf(r.s) : -1;
      r.row.classList.toggle("isw-hl", q >= 0);
      r.sign.textContent = q >= 0 ? (h.signs[q] > 0 ? "+" : h.signs[q] < 0 ? "−" : "•") : "";
      r.sign.className = `isw-coal-sign${q >= 0 ? (h.signs[q] > 0 ? " isw-pos" : " isw-neg") : ""}`;
    }
  }

  draw();
  drawHover();
  const unsub = store.subscribe((s, changed, source) => {
    if (changed.includes("values")) draw(source);
    if (changed.includes("hover")) drawHover();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
