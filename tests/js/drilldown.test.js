import test from "node:test";
import assert from "node:assert/strict";
import { partRow, largest } from "../../js/drilldown.js";

const names = ["text", "image", "tabular"];

test("the picked pair decides which part of modality i is shown", () => {
  // modality 1 (image) explained; M = 3, so row 3 is the effect (φ_i)
  assert.deepEqual(partRow([0, 1], 1, 3, names), { row: 0, what: "φ of image × text", short: "φ(image, text)" });
  assert.deepEqual(partRow([1, 2], 1, 3, names), { row: 2, what: "φ of image × tabular", short: "φ(image, tabular)" });
  assert.deepEqual(partRow([1, 1], 1, 3, names), { row: 1, what: "main effect of image", short: "φ(image, image)" });
  assert.equal(partRow([0, 2], 1, 3, names).row, 3); // a pair without i: its Shapley value
  assert.equal(partRow([], 1, 3, names).row, 3);
});

test("bars show the largest |parts| first, ties by position", () => {
  assert.deepEqual(largest(Float32Array.from([0.1, -0.5, 0.3, 0.5, 0]), 3), [1, 3, 2]);
  assert.deepEqual(largest(Float32Array.from([0, 0]), 5), [0, 1]);
});
