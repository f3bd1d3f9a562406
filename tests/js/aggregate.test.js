import test from "node:test";
import assert from "node:assert/strict";
import * as agg from "../../js/aggregate.js";

// Independent reference: build full matrices by hand and apply the paper's formulas.
function randomTerms(n, m, seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const k = (m * (m + 1)) / 2;
  return Float64Array.from({ length: n * k }, rnd);
}

function fullMatrices(phi, n, m) {
  const k = (m * (m + 1)) / 2;
  const out = [];
  for (let a = 0; a < n; a++) {
    const mat = Array.from({ length: m }, () => new Array(m).fill(0));
    let q = 0;
    for (let i = 0; i < m; i++) mat[i][i] = phi[a * k + q++];
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) { mat[i][j] = mat[j][i] = phi[a * k + q++]; }
    out.push(mat);
  }
  return out;
}

test("termIndex inverts termPairs", () => {
  for (const m of [2, 3, 4, 6]) {
    agg.termPairs(m).forEach(([i, j], q) => {
      assert.equal(agg.termIndex(m, i, j), q);
      assert.equal(agg.termIndex(m, j, i), q);
    });
  }
});

test("globalMatrix, InterSHAP and contributions follow Eqs. 5-8 on a subset", () => {
  const n = 37, m = 4;
  const phi = randomTerms(n, m, 7);
  const mats = fullMatrices(phi, n, m);
  const idx = [1, 4, 5, 20, 36];
  const ref = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => Math.abs(idx.reduce((s, a) => s + mats[a][i][j], 0) / idx.length)));
  const res = agg.aggregate(phi, 0, n, m, idx);
  let total = 0, off = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    assert.ok(Math.abs(res.matrix[i * m + j] - ref[i][j]) < 1e-12);
    total += ref[i][j];
    if (i !== j) off += ref[i][j];
  }
  assert.ok(Math.abs(res.intershap - off / total) < 1e-12);
  assert.ok(Math.abs(res.behaviour - total) < 1e-12);
  for (let i = 0; i < m; i++) assert.ok(Math.abs(res.contributions[i] - ref[i][i] / total) < 1e-12);
  const sumShares = res.shares.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sumShares - 1) < 1e-12, "term shares add up to 1");
  assert.ok(Math.abs(res.contributions.reduce((a, b) => a + b, 0) - (1 - res.intershap)) < 1e-12);
});

test("null indices means every sample; empty set gives NaN", () => {
  const n = 10, m = 3;
  const phi = randomTerms(n, m, 3);
  const all = agg.aggregate(phi, 0, n, m, null);
  const explicit = agg.aggregate(phi, 0, n, m, [...Array(n).keys()]);
  assert.deepEqual(Array.from(all.matrix), Array.from(explicit.matrix));
  assert.ok(Number.isNaN(agg.aggregate(phi, 0, n, m, []).intershap));
});

test("localScores takes |φ| per sample (Eq. 10) and gives NaN for an all-zero sample", () => {
  const n = 12, m = 3;
  const phi = randomTerms(n, m, 11);
  const k = 6;
  for (let q = 0; q < k; q++) phi[5 * k + q] = 0;
  const mats = fullMatrices(phi, n, m);
  const loc = agg.localScores(phi, 0, n, m);
  for (let a = 0; a < n; a++) {
    let t = 0, o = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) { t += Math.abs(mats[a][i][j]); if (i !== j) o += Math.abs(mats[a][i][j]); }
    if (a === 5) assert.ok(Number.isNaN(loc[a]));
    else assert.ok(Math.abs(loc[a] - o / t) < 1e-6);
  }
  assert.ok(Number.isFinite(agg.nanMean(loc)));
  assert.ok(Number.isNaN(agg.nanMean(loc, [5])));
});

test("a second class block is read from its own offset", () => {
  const n = 5, m = 2, k = 3;
  const phi = randomTerms(2 * n, m, 5);
  const second = agg.aggregate(phi, n * k, n, m, null);
  const alone = agg.aggregate(phi.subarray(n * k), 0, n, m, null);
  assert.deepEqual(Array.from(second.matrix), Array.from(alone.matrix));
});
