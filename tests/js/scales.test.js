import test from "node:test";
import assert from "node:assert/strict";
import { linear, extent, ticks, diverging, sequential, textOn, fmt, pct } from "../../js/scales.js";

test("linear maps and inverts", () => {
  const s = linear([2, 6], [0, 100]);
  assert.equal(s(2), 0);
  assert.equal(s(4), 50);
  assert.equal(s.invert(75), 5);
  assert.equal(linear([1, 1], [0, 10])(1), 5, "zero-width domain maps to the middle");
});

test("extent ignores non-finite values and widens a single value", () => {
  assert.deepEqual(extent([3, NaN, -1, Infinity, 2]), [-1, 3]);
  assert.deepEqual(extent([NaN]), [0, 1]);
  const [lo, hi] = extent([2, 2]);
  assert.ok(lo < 2 && hi > 2);
});

test("ticks are round, cover the range and include zero", () => {
  assert.deepEqual(ticks(0, 1, 4), [0, 0.5, 1]);
  assert.deepEqual(ticks(0, 1, 10), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  const t = ticks(-0.73, 2.1, 5);
  assert.ok(t.includes(0));
  assert.ok(t[0] >= -0.73 && t[t.length - 1] <= 2.1);
  const steps = t.slice(1).map((v, i) => +(v - t[i]).toFixed(9));
  assert.ok(steps.every((d) => d === steps[0]), "equal steps");
  assert.ok([0.5, 1].includes(steps[0]));
});

test("diverging colour is centred on 0 and symmetric", () => {
  const c = diverging(2);
  assert.equal(c(0), "rgb(247,247,247)");
  assert.equal(c(2), "rgb(178,24,43)");
  assert.equal(c(5), c(2), "clamped");
  assert.equal(c(-2), "rgb(33,102,172)");
  const red = c(1).match(/\d+/g).map(Number);
  const blue = c(-1).match(/\d+/g).map(Number);
  assert.ok(red[0] > red[2] && blue[2] > blue[0]);
  assert.equal(c(NaN), "rgb(150,150,150)");
  assert.equal(sequential(1)(0), "rgb(247,247,247)");
});

test("text colour contrasts with the background; numbers format compactly", () => {
  assert.equal(textOn("rgb(178,24,43)"), "#fff");
  assert.equal(textOn("rgb(247,247,247)"), "#111");
  assert.equal(fmt(0.123456), "0.1235");
  assert.equal(fmt(NaN), "n/a");
  assert.equal(fmt(1.5e-6), "1.50e-6");
  assert.equal(pct(0.1234), "12.3 %");
  assert.equal(pct(NaN), "n/a");
});
