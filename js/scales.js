// Scales, colours and number formats shared by the views.

/** Linear map from [d0, d1] to [r0, r1]; a zero-width domain maps to the range's middle. */
export function linear([d0, d1], [r0, r1]) {
  const span = d1 - d0;
  const f = (v) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
  f.invert = (p) => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span);
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** [min, max] of the finite values; [0, 1] when there are none; widened when equal. */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) { const pad = Math.abs(lo) * 0.05 || 0.5; return [lo - pad, hi + pad]; }
  return [lo, hi];
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return out;
}

const NEG = [33, 102, 172]; // blue
const POS = [178, 24, 43]; // red
const MID = [247, 247, 247];

function mix(a, b, t) {
  return a.map((x, i) => Math.round(x + (b[i] - x) * t));
}

/**
 * Diverging colour centred on 0: blue (negative) - neutral - red (positive), symmetric
 * domain [-max, max]. Non-finite values give grey. `mid` overrides the neutral colour.
 */
export function diverging(maxAbs, mid = MID) {
  const m = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
  return (v) => {
    if (!Number.isFinite(v)) return "rgb(150,150,150)";
    const t = Math.max(-1, Math.min(1, v / m));
    const c = t < 0 ? mix(mid, NEG, -t) : mix(mid, POS, t);
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  };
}

/** Sequential colour for non-negative values in [0, max]: neutral → red. */
export function sequential(max, mid = MID) {
  const m = max > 0 && Number.isFinite(max) ? max : 1;
  return (v) => {
    if (!Number.isFinite(v)) return "rgb(150,150,150)";
    const c = mix(mid, POS, Math.max(0, Math.min(1, v / m)));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  };
}

/** Black or white text, whichever reads better on an "rgb(r,g,b)" background. */
export function textOn(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#111" : "#fff";
}

/** Compact number: 4 significant digits, scientific for very small/large, "n/a" otherwise. */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(+v.toPrecision(digits));
}

/** Percentage with one decimal, "n/a" for NaN. */
export function pct(v) {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "n/a";
}

/**
 * " ± x" for a standard error (empty when there is none): `kind` "pct" gives percentage
 * points; `bound` marks a conservative bound ("± ≤x").
 */
export function pm(se, bound = false, kind = "value") {
  if (se === null || se === undefined || !Number.isFinite(se)) return "";
  const x = kind === "pct" ? (100 * se).toFixed(1) : fmt(se, 2);
  return ` ± ${bound ? "≤" : ""}${x}`;
}

/** An integer with thousands separators ("100,000"), the same in every locale. */
export function fmtInt(v) {
  if (!Number.isFinite(v)) return "n/a";
  const s = String(Math.round(Math.abs(v))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return v < 0 ? `−${s}` : s;
}

const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** "×10⁻⁶" for exponent −6 ("" for 0). */
export function tenTo(exp) {
  return exp ? `×10${String(exp).replace(/./g, (c) => SUP[c] ?? c)}` : "";
}

/**
 * One number format for a whole panel whose largest |value| is `maxAbs`: values are
 * shown divided by 10^exp (exp a multiple of 3, 0 for 0.01 ≤ max < 10,000) with the
 * decimals that give the largest value 3 significant digits, so all cells share one
 * unit and can be compared digit by digit. @returns {{exp: number, unit: string, fmt: (v: number) => string}}
 */
export function sharedScale(maxAbs) {
  const max = Number.isFinite(maxAbs) && maxAbs > 0 ? maxAbs : 1;
  const mag = Math.floor(Math.log10(max));
  const exp = max >= 0.01 && max < 1e4 ? 0 : 3 * Math.floor(mag / 3);
  const digits = Math.max(0, 2 - (mag - exp));
  const fmtv = (v) => {
    if (!Number.isFinite(v)) return "n/a";
    const s = (v / 10 ** exp).toFixed(digits);
    return Number(s) === 0 ? "0" : s.replace("-", "−");
  };
  return { exp, unit: tenTo(exp), fmt: fmtv };
}

/** A percentage, or `none` (e.g. "no behaviour") when the score is undefined. */
export function pctOr(v, none) {
  return Number.isFinite(v) ? pct(v) : none;
}

/** " [44.1, 46.9]" for a score's interval in percent ("" when there is none). */
export function interval(iv) {
  if (!Array.isArray(iv) || iv.length !== 2 || iv.some((x) => x === null || !Number.isFinite(x))) return "";
  return ` [${(100 * iv[0]).toFixed(1)}, ${(100 * iv[1]).toFixed(1)}]`;
}
