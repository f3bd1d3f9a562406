// Teaching widget: the preset and number-of-players pickers and what the preset is.

import { html } from "./dom.js";
import { PRESETS, MIN_PLAYERS, MAX_PLAYERS, presetValues } from "./game.js";

/** @param {HTMLElement} parent @param {any} ctx */
export function createGameControls(parent, ctx) {
  const { m, store } = ctx;
  const box = html("div", { class: "isw-controls isw-game-controls", role: "group", "aria-label": "game" }, parent);
  const lab = html("label", { text: "preset " }, box);
  const select = html("select", { class: "isw-preset", "aria-label": "preset game", "data-lm-suppress-shortcuts": "true" }, lab);
  for (const name of Object.keys(PRESETS)) html("option", { value: name, text: name }, select);
  html("option", { value: "custom", text: "custom" }, select);
  const plab = html("label", { text: "players " }, box);
  const count = html("select", { class: "isw-nplayers", "aria-label": "number of players", "data-lm-suppress-shortcuts": "true" }, plab);
  for (let k = MIN_PLAYERS; k <= MAX_PLAYERS; k++) html("option", { value: k, text: String(k) }, count);
  count.value = String(m);
  const about = html("div", { class: "isw-note isw-preset-about", "aria-live": "polite" }, parent);

  select.addEventListener("change", () => {
    const name = select.value;
    if (name === "custom") return;
    store.set({ preset: name, values: Array.from(presetValues(name, m)) });
  });
  count.addEventListener("change", () => ctx.setPlayers(Number(count.value)));

  function draw() {
    const { preset } = store.get();
    select.value = preset in PRESETS ? preset : "custom";
    about.textContent = preset in PRESETS
      ? PRESETS[preset]
      : "custom game: your own coalition values (pick a preset to start again from a known game).";
  }
  draw();
  const unsub = store.subscribe((s, changed) => { if (changed.includes("preset")) draw(); });
  return { destroy: () => { unsub(); box.remove(); about.remove(); } };
}
