// Standard errors of a sampled result (intershap_widget/sampling.py) for the numbers the
// explorer derives itself. Per-term standard errors travel as K = M(M+1)/2 terms per
// sample (the order of aggregate.termPairs). The sampled estimates of different terms
// and samples share coalitions, so they are correlated with an unknown sign; the bounds
// here hold for any correlation: sd(Σ c_k X_k) ≤ Σ |c_k| sd(X_k).

/** Mean of the per-sample standard errors of each term over `indices` (null = all n): a bound on the se of the mean. */
export function meanSe(se, base, n, m, indices = null) {
  const k = (m * (m + 1)) / 2;
  const out = new Float64Array(k);
  const count = indices ? indices.length : n;
  for (let t = 0; t < count; t++) {
    const o = base + (indices ? indices[t] : t) * k;
    for (let q = 0; q < k; q++) out[q] += se[o + q];
  }
  return out.map((v) => (count ? v / count : NaN));
}

/**
 * Delta-method bound on the se of a share q = Σ_{k∈S} w_k|x_k| / Σ_k w_k|x_k| of K terms
 * (w = 1 for main effects, 2 for pairs): Σ_k w_k |1[k∈S] − q| se_k / Σ_k w_k|x_k|.
 * @param {ArrayLike<number>} terms K term values @param {ArrayLike<number>} se K standard errors
 * @param {(k: number) => boolean} inS whether term k is in the numerator
 */
export function shareSeBound(terms, se, m, inS) {
  let total = 0;
  let part = 0;
  for (let k = 0; k < terms.length; k++) {
    const v = (k < m ? 1 : 2) * Math.abs(terms[k]);
    total += v;
    if (inS(k)) part += v;
  }
  if (!(total > 0)) return NaN;
  const q = part / total;
  let b = 0;
  for (let k = 0; k < terms.length; k++) b += (k < m ? 1 : 2) * Math.abs((inS(k) ? 1 : 0) - q) * se[k];
  return b / total;
}

/** Bound on the se of InterSHAP Σ pairs / Σ all of K terms. */
export function intershapSeBound(terms, se, m) {
  return shareSeBound(terms, se, m, (k) => k >= m);
}

/** Bound on the se of each term's share of behaviour, length K. */
export function termShareSeBounds(terms, se, m) {
  return Array.from({ length: terms.length }, (_, j) => shareSeBound(terms, se, m, (k) => k === j));
}
