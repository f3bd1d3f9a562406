// The scatter's x axis: the prediction itself, its log-odds (for probabilities: a
// well-trained classifier's samples pile up at p ≈ 1, and the logit spreads them out),
// or its rank (every sample its own column).

const EPS = 1e-6;

/** The x axes a reader can pick for predictions `pred`: log-odds only for values in [0, 1]. */
export function xModes(pred, probability) {
  let inUnit = probability;
  if (!inUnit) {
    inUnit = pred.length > 0;
    for (let a = 0; a < pred.length && inUnit; a++) { const p = pred[a]; if (Number.isFinite(p) && (p < 0 || p > 1)) inUnit = false; }
  }
  return inUnit ? ["prediction", "log-odds", "rank"] : ["prediction", "rank"];
}

/** log(p / (1 − p)), with p clipped to [1e−6, 1 − 1e−6] so 0 and 1 stay finite. */
export function logit(p) {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

/** Rank of each value (0 = smallest; ties in sample order; NaN last). @returns {Float32Array} */
export function ranks(values) {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let a = 0; a < n; a++) order[a] = a;
  const key = (a) => (Number.isFinite(values[a]) ? values[a] : Infinity);
  order.sort((a, b) => key(a) - key(b) || a - b);
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) out[order[r]] = r;
  return out;
}

/** x of every sample for `mode` ("prediction", "log-odds" or "rank"). @returns {Float32Array} */
export function xValues(pred, mode) {
  if (mode === "rank") return ranks(pred);
  const out = new Float32Array(pred.length);
  for (let a = 0; a < pred.length; a++) out[a] = mode === "log-odds" ? logit(pred[a]) : pred[a];
  return out;
}

/** The axis title for `mode` and the quantity the predictions are. */
export function xTitle(mode, quantity) {
  if (mode === "log-odds") return `log-odds of ${quantity}`;
  if (mode === "rank") return `rank of the prediction (${quantity})`;
  return `prediction: ${quantity}`;
}
