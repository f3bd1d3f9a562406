// Entry point of the teaching widget ShapleyGameWidget (anywidget): a 2-4 player game
// whose coalition values the user edits, with its Shapley values, interaction matrix
// (the explorer's heatmap module), InterSHAP and the terms behind a selected cell.
// All math: game.js; linking: one store, bound to the model's traits.

import { createStore, normalise } from "./store.js";
import { html } from "./dom.js";
import { injectStyle, isDark } from "./theme.js";
import { createHeatmap } from "./heatmap.js";
import { coalitionLabel, defaultNames, interactionMatrix, shapleyValues, gameIntershap, presetAfterEdit,
  presetValues, resizeGame, PRESETS } from "./game.js";
import { createGameControls } from "./gamecontrols.js";
import { createCoalitions } from "./coalitions.js";
import { createGameShapley } from "./gameshapley.js";
import { createGameTerms } from "./gameterms.js";

export const GAME_CSS = `
.isw-coal-grid{display:grid;grid-template-columns:1.4em auto minmax(90px,150px) auto;gap:2px 0;align-items:center}
.isw-coal{display:contents}
.isw-coal > *{padding:1px 4px;align-self:stretch;box-sizing:border-box}
.isw-coal > span{display:flex;align-items:center}
.isw-coal-label{white-space:nowrap;font-variant-numeric:tabular-nums}
.isw-coal.isw-hl > *{background:var(--isw-hl,rgba(230,81,0,.16))}
.isw-coal-sign{font-weight:700;text-align:center}
.isw-coal-sign.isw-pos{color:var(--isw-pos,#c62828)}
.isw-coal-sign.isw-neg{color:var(--isw-neg,#1565c0)}
.isw-root input.isw-coal-input{width:6em}
.isw-coal-slider{width:100%;margin:0;accent-color:var(--jp-brand-color1,#1976d2)}
.isw-game-intershap{margin-top:4px}
.isw-game-intershap b{font-variant-numeric:tabular-nums}
.isw-shap-row.isw-hl rect.isw-bar{stroke:var(--jp-warn-color0,#e65100);stroke-width:2}
.isw-formula{font-size:var(--jp-ui-font-size0,11px);margin:0 0 6px 0;max-width:860px}
.isw-game-terms{max-width:100%;box-sizing:border-box;overflow-x:auto}
table.isw-terms{border-collapse:collapse;font-variant-numeric:tabular-nums}
table.isw-terms tfoot th{white-space:normal}
table.isw-terms th,table.isw-terms td{padding:2px 10px;text-align:right;border-bottom:1px solid var(--jp-border-color2,#e0e0e0);white-space:nowrap}
table.isw-terms th[scope=row]{text-align:left;font-weight:normal}
table.isw-terms thead th{font-weight:600;border-bottom:1px solid var(--jp-border-color1,#999)}
table.isw-terms tbody tr{cursor:default}
table.isw-terms tbody tr.isw-hl{background:var(--isw-hl,rgba(230,81,0,.16))}
table.isw-terms td.isw-hl-cell{outline:2px solid var(--jp-warn-color0,#e65100);outline-offset:-2px}
table.isw-terms td.isw-nabla{font-weight:600}
table.isw-terms tfoot th,table.isw-terms tfoot td{border-bottom:none;border-top:2px solid var(--jp-border-color1,#999);font-weight:600}
.isw-main-effect{margin-top:8px}
.isw-root button.isw-linklike{background:none;border:none;padding:0;color:var(--jp-content-link-color,#1976d2);text-decoration:underline;cursor:pointer}
.isw-root.isw-dark{--isw-hl:rgba(255,183,77,.22);--isw-pos:#ef5350;--isw-neg:#64b5f6}
`;

function injectGameStyle(doc) {
  injectStyle(doc);
  if (doc.getElementById("isw-game-style")) return;
  const s = doc.createElement("style");
  s.id = "isw-game-style";
  s.textContent = GAME_CSS;
  doc.head.appendChild(s);
}

/** Names for k players: the current ones first, then unused letters. */
function namesFor(old, k) {
  const out = old.slice(0, k);
  for (const n of defaultNames(8)) if (out.length < k && !out.includes(n)) out.push(n);
  return out;
}

/** The model's selected pair as the store holds it ([] when out of range). */
function pairIn(value, m) {
  const pair = normalise("pair", value);
  return pair.length && pair[1] < m ? pair : [];
}

/** Keep the store and the model's traits in step, both ways. @returns unbind */
function bindGame(store, model) {
  const size = store.get().values.length;
  const m = Math.log2(size);
  // values of another size come with new players: render() remounts for those
  const onValues = () => {
    const values = Array.from(model.get("values") || []);
    if (values.length === size) store.set({ values, preset: model.get("preset") }, "model");
  };
  const onPreset = () => store.set({ preset: model.get("preset") }, "model");
  const onPair = () => store.set({ pair: pairIn(model.get("selected_pair"), m) }, "model");
  model.on("change:values", onValues);
  model.on("change:preset", onPreset);
  model.on("change:selected_pair", onPair);
  const unsub = store.subscribe((state, changed, source) => {
    if (source === "model") return;
    const patch = {};
    if (changed.includes("values")) patch.values = state.values.slice();
    if (changed.includes("preset")) patch.preset = state.preset;
    if (changed.includes("pair")) patch.selected_pair = state.pair.slice();
    if (Object.keys(patch).length) { model.set(patch); model.save_changes(); }
  });
  return () => {
    unsub();
    model.off("change:values", onValues);
    model.off("change:preset", onPreset);
    model.off("change:selected_pair", onPair);
  };
}

function mount(model, root, dark) {
  root.classList.toggle("isw-dark", dark);
  const names = Array.from(model.get("players") || []);
  const m = names.length;
  const values = Array.from(model.get("values") || []);
  if (m < 2 || m > 4 || values.length !== 2 ** m) {
    html("div", { class: "isw-error", role: "alert", text: `The game needs 2-4 players and 2**M coalition values; got ${m} players and ${values.length} values.` }, root);
    return () => { root.textContent = ""; };
  }
  const store = createStore({
    values, preset: model.get("preset"), pair: pairIn(model.get("selected_pair"), m), hover: null,
    cls: 0, sample: 0, indices: [], filterClass: -1, filterLabel: -1, // what the explorer's heatmap reads
  });
  let memo = { values: null, game: null };
  const ctx = {
    m, names, store, dark,
    mid: dark ? [70, 70, 70] : [247, 247, 247],
    colours: dark ? { pos: "#ef5350", neg: "#42a5f5" } : { pos: "#c62828", neg: "#1565c0" },
    label: (s) => coalitionLabel(s, names),
    /** φ, Shapley values and InterSHAP of the current values (memoised). */
    game() {
      const v = store.get().values;
      if (memo.values !== v) {
        const phi = interactionMatrix(v);
        memo = { values: v, game: { phi, shapley: shapleyValues(v), intershap: gameIntershap(phi) } };
      }
      return memo.game;
    },
    sampleMatrix: () => ctx.game().phi,
    sampleName: () => "game",
    setValues(v, source) {
      store.set({ values: v, preset: presetAfterEdit(store.get().preset, v) }, source);
    },
    setPlayers(k) {
      const s = store.get();
      const vals = s.preset in PRESETS ? presetValues(s.preset, k) : resizeGame(s.values, k);
      const pair = s.pair.length === 2 && Math.max(...s.pair) < k ? s.pair : [];
      model.set({ players: namesFor(names, k), values: Array.from(vals), selected_pair: pair });
      model.save_changes();
    },
  };
  const views = [];
  views.push(createGameControls(root, ctx));
  const row = html("div", { class: "isw-row" }, root);
  views.push(createCoalitions(row, ctx));
  const heat = createHeatmap(row, ctx, {
    panels: ["sample"],
    sampleTitle: () => "Interaction matrix φ of the game",
    sampleLabel: "interaction matrix of the game",
    note: "Dashed diagonal: main effects φᵢᵢ; off-diagonal: interactions φᵢⱼ (half the Shapley interaction index). Each row sums to φᵢ; the whole matrix to v(N) − v(∅). Click a cell for its terms.",
  });
  views.push(heat);
  views.push(createGameShapley(row, ctx));
  const row2 = html("div", { class: "isw-row" }, root);
  views.push(createGameTerms(row2, ctx));
  const unsubHeat = store.subscribe((s, changed) => { if (changed.includes("values")) heat.redraw(); });
  const unbind = bindGame(store, model);
  return () => {
    unbind();
    unsubHeat();
    for (const v of views) v.destroy();
    root.textContent = "";
  };
}

/** anywidget entry: draw the teaching widget into `el`; returns the cleanup. */
function render({ model, el }) {
  injectGameStyle(el.ownerDocument);
  const root = html("div", { class: "isw-root isw-game", role: "region", "aria-label": "Shapley game" }, el);
  let dark = isDark(el);
  const shape = () => `${JSON.stringify(model.get("players"))}|${(model.get("values") || []).length}`;
  let mounted = shape();
  let unmount = mount(model, root, dark);
  const remount = () => { unmount(); mounted = shape(); unmount = mount(model, root, dark); };
  // new players (or values of another length, which may arrive in a later message): redraw all
  const onShape = () => { if (shape() !== mounted) remount(); };
  model.on("change:players", onShape);
  model.on("change:values", onShape);
  const watch = new MutationObserver(() => {
    const now = isDark(el);
    if (now !== dark) { dark = now; remount(); }
  });
  watch.observe(el.ownerDocument.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  return () => {
    watch.disconnect();
    model.off("change:players", onShape);
    model.off("change:values", onShape);
    unmount();
    root.remove();
  };
}

export default { render };
