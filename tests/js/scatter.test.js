import test from "node:test";
import assert from "node:assert/strict";
import { IDENTITY, clampView, zoomAt, panBy, screenX, plotX, isIdentity } from "../../js/zoom.js";
import { xModes, logit, ranks, xValues, xTitle } from "../../js/scatterx.js";

const BOX = { x0: 40, x1: 340, y0: 10, y1: 250 };

test("zooming keeps the point under the pointer and never zooms out past the plot", () => {
  const v = zoomAt(IDENTITY, 300, 100, 4, 1, BOX);
  assert.equal(v.kx, 4);
  assert.ok(Math.abs(screenX(v, plotX(IDENTITY, 300)) - 300) < 1e-9, "the point at the pointer stays");
  assert.ok(screenX(v, BOX.x0) <= BOX.x0 && screenX(v, BOX.x1) >= BOX.x1, "the area stays covered");
  assert.ok(isIdentity(zoomAt(v, 300, 100, 1 / 8, 1, BOX)), "zooming out stops at the whole plot");
  assert.ok(isIdentity(zoomAt(IDENTITY, 200, 100, 0.5, 0.5, BOX)));
});

test("panning is clamped to the data", () => {
  const v = zoomAt(IDENTITY, 190, 130, 2, 2, BOX);
  const far = panBy(v, 10_000, -10_000, BOX);
  assert.equal(screenX(far, BOX.x0), BOX.x0, "left edge of the data at the left of the area");
  const back = panBy(v, -10_000, 0, BOX);
  assert.equal(screenX(back, BOX.x1), BOX.x1);
  assert.deepEqual(panBy(IDENTITY, 50, 50, BOX), clampView(IDENTITY, BOX), "nothing to pan unzoomed");
});

test("the log-odds axis is offered for probabilities only and spreads the wall at 1", () => {
  assert.deepEqual(xModes(new Float32Array([0.2, 0.999]), false), ["prediction", "log-odds", "rank"]);
  assert.deepEqual(xModes(new Float32Array([0.2, 3]), false), ["prediction", "rank"]);
  assert.deepEqual(xModes(new Float32Array([0.2, 3]), true), ["prediction", "log-odds", "rank"]);
  assert.ok(Math.abs(logit(0.5)) < 1e-12 && Math.abs(logit(0.99) - Math.log(99)) < 1e-9);
  assert.ok(Number.isFinite(logit(1)) && Number.isFinite(logit(0)) && Math.abs(logit(1) + logit(0)) < 1e-6);
  const near = xValues(new Float32Array([0.99, 0.999, 0.9999]), "log-odds");
  assert.ok(near[1] - near[0] > 2 && near[2] - near[1] > 2, "0.99, 0.999, 0.9999 are far apart in log-odds");
});

test("ranks: 0 for the smallest, ties in sample order, NaN last", () => {
  assert.deepEqual(Array.from(ranks(new Float32Array([0.5, 0.1, 0.5, NaN, 0.2]))), [2, 0, 3, 4, 1]);
  assert.deepEqual(Array.from(xValues(new Float32Array([3, 1, 2]), "rank")), [2, 0, 1]);
  assert.equal(xTitle("log-odds", "P(dog)"), "log-odds of P(dog)");
});

import { chooseLayout, relayoutNeeded, SCATTER_MIN, SCATTER_MAX } from "../../js/layout.js";

test("the layout puts as many linked views side by side as the width allows", () => {
  const w = { heat: 460, bars: 330, side: 300 };
  const at = (avail) => chooseLayout(avail, w);
  assert.equal(at(1700).name, "wide");
  assert.equal(at(1700).scatter, Math.min(SCATTER_MAX, 1700 - 460 - 330 - 300 - 30 - 32), "the scatter takes the room left");
  assert.equal(at(1200).name, "medium");
  assert.equal(at(1050).name, "tiered");
  assert.equal(at(900).name, "narrow");
  assert.equal(at(690).name, "single");
  for (const avail of [690, 900, 1050, 1100, 1200, 1500, 1800]) {
    const p = at(avail);
    assert.ok(p.scatter >= 240 && p.scatter <= SCATTER_MAX, `${avail}: ${p.scatter}`);
    if (p.name !== "single") assert.ok(p.scatter >= SCATTER_MIN);
  }
  assert.ok(at(1700).barsStacked && !at(1200).barsStacked);
  assert.ok(relayoutNeeded(null, at(1200)) && relayoutNeeded(at(1200), at(1700)));
  assert.ok(!relayoutNeeded(at(1200), at(1210)), "a few px more: not worth a redraw");
  assert.ok(relayoutNeeded(at(1210), at(1200)), "a few px less: the grid would stick out");
});
