// Pure aggregation of per-sample interaction terms: the same formulas as
// intershap_widget/scores.py (paper Eqs. 5-10).
//
// A sample's φ travels as K = M(M+1)/2 terms: M main effects φ_ii, then the pairs
// φ_ij (i < j, row-major). φ is symmetric, so a pair term counts twice in a matrix.

/** The (i, j) of each term: diagonals first, then i < j. @param {number} m */
export function termPairs(m) {
  const out = [];
  for (let i = 0; i < m; i++) out.push([i, i]);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out.push([i, j]);
  return out;
}

/** Index of term (i, j) (either order) in termPairs(m). */
export function termIndex(m, i, j) {
  if (i === j) return i;
  if (i > j) [i, j] = [j, i];
  // pairs before row i: sum_{r<i} (m-1-r)
  return m + i * (m - 1) - (i * (i - 1)) / 2 + (j - i - 1);
}

/**
 * Full symmetric (M, M) matrix (row-major Float64Array) of one sample's terms.
 * @param {ArrayLike<number>} phi (C·N·K) or (N·K) terms
 * @param {number} offset start of the sample's K terms
 */
export function sampleMatrix(phi, offset, m) {
  const pairs = termPairs(m);
  const out = new Float64Array(m * m);
  pairs.forEach(([i, j], k) => { out[i * m + j] = out[j * m + i] = phi[offset + k]; });
  return out;
}

/**
 * |mean over the chosen samples| of each of the K terms (Eq. 5), a Float64Array(K).
 * @param {ArrayLike<number>} phi terms of N samples starting at `base`
 * @param {ArrayLike<number>|null} indices sample positions; null = all n samples
 */
export function globalTerms(phi, base, n, m, indices = null) {
  const k = (m * (m + 1)) / 2;
  const sums = new Float64Array(k);
  const count = indices ? indices.length : n;
  for (let t = 0; t < count; t++) {
    const o = base + (indices ? indices[t] : t) * k;
    for (let q = 0; q < k; q++) sums[q] += phi[o + q];
  }
  return sums.map((s) => (count ? Math.abs(s / count) : NaN));
}

/** Global Φ = |mean over the chosen samples of φ| (Eq. 5) as a (M, M) matrix. */
export function globalMatrix(phi, base, n, m, indices = null) {
  return sampleMatrix(globalTerms(phi, base, n, m, indices), 0, m);
}

/** Σ_ij Φ_ij of a (M, M) matrix. */
export function behaviour(mat) {
  let s = 0;
  for (let q = 0; q < mat.length; q++) s += mat[q];
  return s;
}

function offDiagonal(mat, m) {
  let s = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) s += mat[i * m + j];
  return s;
}

/** Global InterSHAP Σ_{i≠j} Φ_ij / Σ Φ (Eq. 8); NaN when behaviour is 0 or undefined. */
export function intershapScore(mat, m) {
  const total = behaviour(mat);
  if (!Number.isFinite(total) || total === 0) return NaN;
  return offDiagonal(mat, m) / total;
}

/** |Φ_ii| / Σ Φ per modality, length M. */
export function modalityContributions(mat, m) {
  const total = behaviour(mat);
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = !Number.isFinite(total) || total === 0 ? NaN : Math.abs(mat[i * m + i]) / total;
  return out;
}

/** Share of behaviour of every term: |Φ_ij| (·2 for pairs) / Σ Φ, length K. */
export function termShares(mat, m) {
  const total = behaviour(mat);
  return termPairs(m).map(([i, j]) => {
    const v = Math.abs(mat[i * m + j]) * (i === j ? 1 : 2);
    return !Number.isFinite(total) || total === 0 ? NaN : v / total;
  });
}

/**
 * Per-sample InterSHAP I_a = Σ_{i≠j}|φ_ij| / Σ|φ_ij| (Eq. 10); NaN when φ^a is all 0.
 * @returns {Float32Array} length n
 */
export function localScores(phi, base, n, m) {
  const k = (m * (m + 1)) / 2;
  const out = new Float32Array(n);
  for (let a = 0; a < n; a++) {
    const o = base + a * k;
    let diag = 0;
    let pair = 0;
    for (let q = 0; q < m; q++) diag += Math.abs(phi[o + q]);
    for (let q = m; q < k; q++) pair += Math.abs(phi[o + q]);
    const total = diag + 2 * pair;
    out[a] = total > 0 ? (2 * pair) / total : NaN;
  }
  return out;
}

/** Mean of the finite entries of `scores` restricted to `indices` (null = all); NaN if none. */
export function nanMean(scores, indices = null) {
  let s = 0;
  let c = 0;
  const n = indices ? indices.length : scores.length;
  for (let t = 0; t < n; t++) {
    const v = scores[indices ? indices[t] : t];
    if (Number.isFinite(v)) { s += v; c++; }
  }
  return c ? s / c : NaN;
}

/** Everything the summary and heatmap show for a set of samples. */
export function aggregate(phi, base, n, m, indices = null) {
  const mat = globalMatrix(phi, base, n, m, indices);
  return {
    matrix: mat,
    behaviour: behaviour(mat),
    intershap: intershapScore(mat, m),
    contributions: modalityContributions(mat, m),
    shares: termShares(mat, m),
  };
}
