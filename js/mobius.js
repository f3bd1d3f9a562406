// Behaviour by interaction order from Möbius dividends: the same formulas as
// intershap_widget/interactions.py (order_shares).
//
// A sample's dividends travel as D = 2**M − 1 values m(T), one per non-empty coalition
// T (bitmask, bit i = modality i present), in column T − 1. The global share of order k
// is Σ_{|T|=k} |mean_a m_a(T)| / Σ_{T≠∅} |mean_a m_a(T)| (|·| after averaging, as the
// paper's Φ); a sample's share uses |m_a(T)|.

/** Möbius transform in place of one game's 2**M values (bitmask order). */
export function mobiusInPlace(values, m) {
  for (let b = 0; b < m; b++) {
    const bit = 1 << b;
    for (let s = 0; s < values.length; s++) if (s & bit) values[s] -= values[s ^ bit];
  }
  return values;
}

/** |T| of every non-empty coalition, length 2**M − 1 (entry T − 1). */
export function coalitionOrders(m) {
  const out = new Uint8Array((1 << m) - 1);
  for (let t = 1; t < 1 << m; t++) {
    let c = 0;
    for (let x = t; x; x &= x - 1) c++;
    out[t - 1] = c;
  }
  return out;
}

function normalise(amounts) {
  let total = 0;
  for (const a of amounts) total += a;
  return amounts.map((a) => (Number.isFinite(total) && total > 0 ? a / total : NaN));
}

/**
 * Global shares of orders 1..M over the chosen samples.
 * @param {ArrayLike<number>} div dividends of N samples starting at `base` ((C·)N·D)
 * @param {ArrayLike<number>|null} indices sample positions; null = all n
 * @returns {Float64Array} length M (NaN when the behaviour is 0 or there are no samples)
 */
export function globalOrderShares(div, base, n, m, indices = null) {
  const d = (1 << m) - 1;
  const sums = new Float64Array(d);
  const count = indices ? indices.length : n;
  for (let t = 0; t < count; t++) {
    const o = base + (indices ? indices[t] : t) * d;
    for (let q = 0; q < d; q++) sums[q] += div[o + q];
  }
  const orders = coalitionOrders(m);
  const amounts = new Float64Array(m);
  if (!count) return amounts.fill(NaN);
  for (let q = 0; q < d; q++) amounts[orders[q] - 1] += Math.abs(sums[q] / count);
  return normalise(amounts);
}

/** Shares of orders 1..M of one sample (dividends at `offset`), using |m_a(T)|. */
export function sampleOrderShares(div, offset, m) {
  const d = (1 << m) - 1;
  const orders = coalitionOrders(m);
  const amounts = new Float64Array(m);
  for (let q = 0; q < d; q++) amounts[orders[q] - 1] += Math.abs(div[offset + q]);
  return normalise(amounts);
}

/** Fold shares of orders 1..M into orders 1, …, top−1 and "top and beyond" (length top). */
export function groupOrders(shares, top = 3) {
  const out = new Float64Array(Math.min(top, shares.length));
  for (let k = 0; k < shares.length; k++) out[Math.min(k, out.length - 1)] += shares[k];
  return out;
}
