import test from "node:test";
import assert from "node:assert/strict";
import { createStore, bindModel, fromModel } from "../../js/store.js";
import { decodeArray } from "../../js/buffers.js";

function fakeModel(init) {
  const values = { ...init };
  const ls = {};
  const saves = [];
  return {
    values, saves,
    get: (k) => values[k],
    set: (k, v) => { values[k] = v; },
    on: (e, f) => (ls[e] ||= []).push(f),
    off: (e, f) => { ls[e] = (ls[e] || []).filter((g) => g !== f); },
    save_changes: () => saves.push({ ...values }),
    // what the widget manager does when Python changes a trait
    remote(k, v) { values[k] = v; (ls[`change:${k}`] || []).forEach((f) => f()); },
    count: (e) => (ls[e] || []).length,
  };
}

const INIT = { selected_sample: 3, selected_indices: [], selected_class: 0, selected_pair: [] };

test("store notifies only on real changes, with the changed keys", () => {
  const s = createStore({ a: 1, b: [1, 2] });
  const seen = [];
  const un = s.subscribe((st, changed) => seen.push(changed));
  s.set({ a: 1 });
  s.set({ b: [1, 2] });
  s.set({ a: 2, b: [1, 2] });
  un();
  s.set({ a: 3 });
  assert.deepEqual(seen, [["a"]]);
  assert.equal(s.get().a, 3);
});

test("view selections reach the model traits and are saved", () => {
  const model = fakeModel(INIT);
  const store = createStore(fromModel(model));
  assert.equal(store.get().sample, 3);
  bindModel(store, model);
  store.set({ sample: 7, pair: [0, 2] });
  assert.equal(model.values.selected_sample, 7);
  assert.deepEqual(model.values.selected_pair, [0, 2]);
  assert.equal(model.saves.length, 1);
  store.set({ filterClass: 1 });
  assert.equal(model.saves.length, 1, "without filter menus a filter code is the page's own");
});

test("filters travel as names both ways and an unknown name is no filter", () => {
  const names = { pclass: ["cat", "dog"], label: ["0", "1"] };
  const model = fakeModel({ ...INIT, filters: { label: "1" } });
  const store = createStore(fromModel(model, names));
  assert.deepEqual([store.get().filterClass, store.get().filterLabel], [-1, 1], "restored from the trait");
  const unbind = bindModel(store, model, names);
  store.set({ filterClass: 1, indices: [] });
  assert.deepEqual(model.values.filters, { predicted_class: "dog", label: "1" });
  assert.equal(model.saves.length, 1);
  model.remote("filters", { predicted_class: "cat" });
  assert.deepEqual([store.get().filterClass, store.get().filterLabel], [0, -1]);
  assert.equal(model.saves.length, 1, "a change from Python is not echoed");
  model.remote("filters", { predicted_class: "owl" });
  assert.equal(store.get().filterClass, -1);
  store.set({ filterClass: -1, filterLabel: -1 });
  unbind();
  assert.equal(model.count("change:filters"), 0);
});

test("trait changes from Python reach every subscriber without echoing back", () => {
  const model = fakeModel(INIT);
  const store = createStore(fromModel(model));
  const unbind = bindModel(store, model);
  const seen = [];
  store.subscribe((st, changed) => seen.push([changed, st.sample, st.indices]));
  model.remote("selected_sample", 9);
  model.remote("selected_indices", [1, 2, 3]);
  assert.deepEqual(seen, [[["sample"], 9, []], [["indices"], 9, [1, 2, 3]]]);
  model.remote("selected_pair", [2, 0]);
  assert.deepEqual(store.get().pair, [0, 2], "a pair is held as (min, max)");
  assert.equal(model.saves.length, 0);
  unbind();
  assert.equal(model.count("change:selected_sample"), 0, "unbinding removes listeners");
});

test("decodeArray wraps a DataView with an offset as a typed array of the shape", () => {
  const src = new Float32Array([9, 1.5, -2, 3, 4, 5, 6]);
  const view = new DataView(src.buffer, 4, 24);
  const { array, shape } = decodeArray({ dtype: "float32", shape: [2, 3], data: view });
  assert.deepEqual(shape, [2, 3]);
  assert.deepEqual(Array.from(array), [1.5, -2, 3, 4, 5, 6]);
  assert.throws(() => decodeArray({ dtype: "float32", shape: [4], data: view }), /shape needs 4/);
});
