import test from "node:test";
import assert from "node:assert/strict";
import * as errs from "../../js/errors.js";
import { pm } from "../../js/scales.js";

function rand(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

// Reference: the bound is Σ_k |∂q/∂x_k| se_k with the gradient taken numerically.
function share(terms, m, inS) {
  let tot = 0, part = 0;
  terms.forEach((x, k) => { const v = (k < m ? 1 : 2) * Math.abs(x); tot += v; if (inS(k)) part += v; });
  return part / tot;
}

test("shareSeBound is Σ |gradient| · se (numerical gradient)", () => {
  const m = 4, k = 10;
  const r = rand(5);
  const terms = Float64Array.from({ length: k }, r);
  const se = Float64Array.from({ length: k }, () => Math.abs(r()) * 0.1);
  for (const inS of [(q) => q >= m, (q) => q === 2, (q) => q === 7]) {
    let ref = 0;
    for (let q = 0; q < k; q++) {
      const h = 1e-6;
      const up = terms.slice(); up[q] += h;
      const dn = terms.slice(); dn[q] -= h;
      ref += Math.abs((share(up, m, inS) - share(dn, m, inS)) / (2 * h)) * se[q];
    }
    assert.ok(Math.abs(errs.shareSeBound(terms, se, m, inS) - ref) < 1e-7);
  }
  assert.equal(errs.intershapSeBound(terms, se, m), errs.shareSeBound(terms, se, m, (q) => q >= m));
  const each = errs.termShareSeBounds(terms, se, m);
  assert.equal(each.length, k);
  assert.equal(each[7], errs.shareSeBound(terms, se, m, (q) => q === 7));
  assert.ok(Number.isNaN(errs.shareSeBound(new Float64Array(k), se, m, (q) => q >= m)));
});

test("meanSe averages per-sample standard errors over a subset", () => {
  const se = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // n = 3 samples, m = 2, K = 3
  assert.deepEqual(Array.from(errs.meanSe(se, 0, 3, 2, [0, 2])), [4, 5, 6]);
  assert.deepEqual(Array.from(errs.meanSe(se, 0, 3, 2)), [4, 5, 6]);
});

test("pm formats a standard error, a bound and nothing", () => {
  assert.equal(pm(0.0112, false, "pct"), " ± 1.1");
  assert.equal(pm(0.0112, true, "pct"), " ± ≤1.1");
  assert.equal(pm(0.01234), " ± 0.012");
  assert.equal(pm(NaN), "");
  assert.equal(pm(null), "");
});
