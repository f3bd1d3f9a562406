// The shared selection: one small store every view subscribes to, bound to the
// widget model's selection traits. Linking lives here (not in Python), so an
// exported, kernel-less page stays linked.

/**
 * @typedef {{sample: number, indices: number[], cls: number, pair: number[],
 *            filterClass: number, filterLabel: number}} Selection
 */

/** A tiny observable state. @param {Record<string, any>} initial */
export function createStore(initial) {
  let state = { ...initial };
  const subs = new Set();
  return {
    get: () => state,
    /** Merge `patch`; listeners get (state, changedKeys) only when something changed. */
    set(patch, source = null) {
      const changed = Object.keys(patch).filter((k) => !same(state[k], patch[k]));
      if (!changed.length) return changed;
      state = { ...state, ...patch };
      for (const fn of [...subs]) fn(state, changed, source);
      return changed;
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

function same(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

const TRAITS = { sample: "selected_sample", indices: "selected_indices", cls: "selected_class", pair: "selected_pair" };

/** The store fields that mirror model traits. */
export const traitNames = TRAITS;

/**
 * The filters trait ({predicted_class: name, label: name}, either key absent = no filter)
 * as the store's codes: {filterClass, filterLabel} (−1 = no filter; an unknown name too).
 * @param {Record<string, string>} value @param {{pclass: string[], label: string[]}} names
 */
export function filtersFromTrait(value, names) {
  const v = value && typeof value === "object" ? value : {};
  const code = (list, name) => (name === undefined || name === null ? -1 : list.indexOf(String(name)));
  return { filterClass: code(names.pclass, v.predicted_class), filterLabel: code(names.label, v.label) };
}

/** The store's filter codes as the filters trait (only the keys that filter). */
export function filtersToTrait(state, names) {
  const out = {};
  if (state.filterClass >= 0 && state.filterClass < names.pclass.length) out.predicted_class = names.pclass[state.filterClass];
  if (state.filterLabel >= 0 && state.filterLabel < names.label.length) out.label = names.label[state.filterLabel];
  return out;
}

const NO_NAMES = { pclass: [], label: [] };

/**
 * Keep `store` and the model's selection traits (and the filters trait, through the
 * filter menus' `names`) in step, both ways.
 * @returns {() => void} unbinds
 */
export function bindModel(store, model, names = NO_NAMES) {
  const handlers = [];
  for (const [key, trait] of Object.entries(TRAITS)) {
    const h = () => store.set({ [key]: normalise(key, model.get(trait)) }, "model");
    model.on(`change:${trait}`, h);
    handlers.push([trait, h]);
  }
  const hf = () => store.set(filtersFromTrait(model.get("filters"), names), "model");
  model.on("change:filters", hf);
  handlers.push(["filters", hf]);
  const unsub = store.subscribe((state, changed, source) => {
    if (source === "model") return;
    let dirty = false;
    for (const key of changed) {
      if (TRAITS[key]) { model.set(TRAITS[key], state[key]); dirty = true; }
    }
    if (changed.includes("filterClass") || changed.includes("filterLabel")) {
      const value = filtersToTrait(state, names);
      if (JSON.stringify(value) !== JSON.stringify(model.get("filters") ?? {})) { model.set("filters", value); dirty = true; }
    }
    if (dirty) model.save_changes();
  });
  return () => {
    unsub();
    for (const [trait, h] of handlers) model.off(`change:${trait}`, h);
  };
}

/** The store's view of a trait value. */
export function normalise(key, value) {
  if (key === "indices") return Array.isArray(value) ? value.map(Number) : [];
  if (key === "pair") return Array.isArray(value) && value.length === 2 ? value.map(Number).sort((a, b) => a - b) : [];
  return Number(value) || 0;
}

/** Initial selection read from the model (filters through the filter menus' `names`). */
export function fromModel(model, names = NO_NAMES) {
  const out = filtersFromTrait(model.get("filters"), names);
  for (const [key, trait] of Object.entries(TRAITS)) out[key] = normalise(key, model.get(trait));
  return out;
}
