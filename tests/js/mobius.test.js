import test from "node:test";
import assert from "node:assert/strict";
import * as mob from "../../js/mobius.js";

// Independent reference: dividends by the definition m(S) = Σ_{T⊆S} (−1)^{|S|−|T|} v(T).
function popcount(x) { let c = 0; for (; x; x &= x - 1) c++; return c; }
function mobiusByDefinition(v, m) {
  const out = new Float64Array(1 << m);
  for (let s = 0; s < 1 << m; s++) {
    for (let t = 0; t < 1 << m; t++) if ((t & s) === t) out[s] += (popcount(s) - popcount(t)) % 2 ? -v[t] : v[t];
  }
  return out;
}
function rand(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

test("mobiusInPlace matches the definition and inverts by subset sums", () => {
  const r = rand(3);
  for (const m of [1, 2, 3, 5]) {
    const v = Float64Array.from({ length: 1 << m }, r);
    const got = mob.mobiusInPlace(v.slice(), m);
    const ref = mobiusByDefinition(v, m);
    got.forEach((x, s) => assert.ok(Math.abs(x - ref[s]) < 1e-12));
    for (let s = 0; s < 1 << m; s++) {
      let sum = 0;
      for (let t = 0; t < 1 << m; t++) if ((t & s) === t) sum += got[t];
      assert.ok(Math.abs(sum - v[s]) < 1e-12);
    }
  }
});

test("order shares: |mean| per coalition globally, |m| per sample, grouped 1, 2, 3+", () => {
  const m = 4, n = 9, d = (1 << m) - 1;
  const r = rand(11);
  const vals = Array.from({ length: n }, () => Float64Array.from({ length: 1 << m }, r));
  const div = new Float64Array(n * d);
  vals.forEach((v, a) => mobiusByDefinition(v, m).slice(1).forEach((x, q) => { div[a * d + q] = x; }));
  const idx = [0, 3, 4, 8];
  const amounts = new Array(m).fill(0);
  for (let t = 1; t < 1 << m; t++) {
    const mean = idx.reduce((s, a) => s + div[a * d + t - 1], 0) / idx.length;
    amounts[popcount(t) - 1] += Math.abs(mean);
  }
  const tot = amounts.reduce((a, b) => a + b);
  const got = mob.globalOrderShares(div, 0, n, m, idx);
  amounts.forEach((a, k) => assert.ok(Math.abs(got[k] - a / tot) < 1e-12));
  assert.ok(Math.abs(got.reduce((a, b) => a + b) - 1) < 1e-12);
  const g = mob.groupOrders(got, 3);
  assert.equal(g.length, 3);
  assert.ok(Math.abs(g[2] - (got[2] + got[3])) < 1e-15 && g[0] === got[0]);
  // one sample: absolute dividends, and the dataset default (null = all) equals an explicit full list
  const one = mob.sampleOrderShares(div, 2 * d, m);
  const abs = new Array(m).fill(0);
  for (let t = 1; t < 1 << m; t++) abs[popcount(t) - 1] += Math.abs(div[2 * d + t - 1]);
  const at = abs.reduce((a, b) => a + b);
  abs.forEach((x, k) => assert.ok(Math.abs(one[k] - x / at) < 1e-12));
  const all = mob.globalOrderShares(div, 0, n, m, null);
  const full = mob.globalOrderShares(div, 0, n, m, [...Array(n).keys()]);
  all.forEach((x, k) => assert.ok(Math.abs(x - full[k]) < 1e-15));
});

test("a constant game has no behaviour: NaN shares, not a division by zero", () => {
  const div = new Float64Array(7);
  assert.ok(mob.sampleOrderShares(div, 0, 3).every(Number.isNaN));
  assert.ok(mob.globalOrderShares(div, 0, 1, 3).every(Number.isNaN));
  assert.ok(mob.globalOrderShares(div, 0, 1, 3, []).every(Number.isNaN));
});

test("coalitionOrders counts the members of every non-empty coalition", () => {
  assert.deepEqual(Array.from(mob.coalitionOrders(3)), [1, 1, 2, 1, 2, 2, 3]);
});
