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
 * Keep `store` and the model's selection traits in step, both ways.
 * @returns {() => void} unbinds
 */
export function bindModel(store, model) {
  const handlers = [];
  for (const [key, trait] of Object.entries(TRAITS)) {
    const h = () => store.set({ [key]: normalise(key, model.get(trait)) }, "model");
    model.on(`change:${trait}`, h);
    handlers.push([trait, h]);
  }
  const unsub = store.subscribe((state, changed, source) => {
    if (source === "model") return;
    let dirty = false;
    for (const key of changed) {
      if (TRAITS[key]) { model.set(TRAITS[key], state[key]); dirty = true; }
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

/** Initial selection read from the model. */
export function fromModel(model) {
  const out = { filterClass: -1, filterLabel: -1 };
  for (const [key, trait] of Object.entries(TRAITS)) out[key] = normalise(key, model.get(trait));
  return out;
}
