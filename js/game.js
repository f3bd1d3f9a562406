// Pure math of a small cooperative game (2-4 players) for the teaching widget: the
// same conventions as intershap_widget/games.py. A game is `values`, one number per
// coalition in bitmask order (bit i set = player i present; index 0 = ∅).
//
//   φ_i  = Σ_{S ⊆ N∖{i}}   |S|!(M−|S|−1)!/M!          · [v(S∪{i}) − v(S)]
//   φ_ij = Σ_{S ⊆ N∖{i,j}} |S|!(M−|S|−2)!/(2(M−1)!)   · ∇_ij(S)        (half the SII)
//   ∇_ij(S) = v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S)
//   φ_ii = φ_i − Σ_{j≠i} φ_ij                                           (main effect)
//
// No DOM here: tests/js/game.test.js and tests/test_teaching.py check it against games.py.

import { intershapScore } from "./aggregate.js";

export const MIN_PLAYERS = 2;
export const MAX_PLAYERS = 4;

/** Preset names with one line each on what the game is (the same text as teaching.py). */
export const PRESETS = {
  xor: "XOR (pure synergy): v(S) = 1 only when every player is present, else 0. The game of a perfect model of the parity (XOR) of fair coins, with the absent players averaged out: no proper subset tells anything.",
  and: "AND: v(S) = (2^|S| − 1)/(2^M − 1). The game of a perfect model of the AND of fair coins at the all-true input, absent players averaged out, scaled to v(N) = 1: main effects plus synergy.",
  or: "OR (full redundancy): v(S) = 1 as soon as one player is present. The OR of fair coins at the all-true input, scaled to v(N) = 1: any player alone already gives everything.",
  additive: "additive: v(S) = the sum of (i+1) over the players i in S, i.e. players are worth 1, 2, 3, 4 on their own and nothing more together: no interactions.",
  redundant: "redundant: the first two players carry the same signal (either alone or both: 1), every further player adds its own 1. With 2 players this is OR.",
  majority: "majority vote: v(S) = 1 when S holds more than half of the players, else 0. With 2 players this is XOR (both needed).",
};

/** Number of players M of a game with `length` = 2**M coalition values. */
export function nPlayers(length) {
  const m = Math.round(Math.log2(length));
  if (!(length >= 2) || 2 ** m !== length) throw new Error(`a game needs 2**M coalition values, got ${length}`);
  return m;
}

/** Number of players in coalition `s` (a bitmask). */
export function popcount(s) {
  let c = 0;
  for (let x = s; x; x &= x - 1) c++;
  return c;
}

/** Players of coalition `s`, ascending. */
export function members(s, m) {
  const out = [];
  for (let i = 0; i < m; i++) if (s & (1 << i)) out.push(i);
  return out;
}

/** "{A, C}" for coalition `s`, "∅" for the empty coalition. */
export function coalitionLabel(s, names) {
  const ps = members(s, names.length);
  return ps.length ? `{${ps.map((i) => names[i]).join(", ")}}` : "∅";
}

function factorial(n) {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A reduced fraction {num, den, value, text} (text "1/6", or "1"). */
export function fraction(num, den) {
  const g = gcd(num, den) || 1;
  const n = num / g;
  const d = den / g;
  return { num: n, den: d, value: num / den, text: d === 1 ? String(n) : `${n}/${d}` };
}

/** Shapley weight |S|!(M−|S|−1)!/M! of a coalition of size s, as a fraction. */
export function shapleyWeight(s, m) {
  return fraction(factorial(s) * factorial(m - s - 1), factorial(m));
}

/** Pair weight |S|!(M−|S|−2)!/(2(M−1)!) of a coalition of size s, as a fraction. */
export function pairWeight(s, m) {
  return fraction(factorial(s) * factorial(m - s - 2), 2 * factorial(m - 1));
}

/** Subsets of the players in bitmask `rest` (m players), ordered by size then bitmask. */
export function subsetsOf(rest, m) {
  const out = [];
  for (let s = 0; s < 1 << m; s++) if ((s & rest) === s) out.push(s);
  return out.sort((a, b) => popcount(a) - popcount(b) || a - b);
}

/**
 * The terms of player i's Shapley value: one row per S ⊆ N∖{i} with its weight, the two
 * coalitions compared (`with` = S∪{i}, `without` = S), the marginal contribution
 * v(S∪{i}) − v(S) and weight × marginal. Their `contribution`s sum to φ_i.
 */
export function shapleyTerms(values, i) {
  const m = nPlayers(values.length);
  const full = (1 << m) - 1;
  return subsetsOf(full & ~(1 << i), m).map((s) => {
    const size = popcount(s);
    const weight = shapleyWeight(size, m);
    const withI = s | (1 << i);
    const marginal = values[withI] - values[s];
    return { S: s, size, weight, with: withI, without: s, marginal, contribution: weight.value * marginal,
      coalitions: [withI, s], signs: [1, -1] };
  });
}

/**
 * The terms of φ_ij (i ≠ j): one row per S ⊆ N∖{i,j} with its weight, the four
 * coalitions of ∇ (S∪{i,j}, S∪{i}, S∪{j}, S, with signs +, −, −, +), ∇_ij(S) and
 * weight × ∇. Their `contribution`s sum to φ_ij.
 */
export function pairTerms(values, i, j) {
  const m = nPlayers(values.length);
  if (i === j) throw new Error("pairTerms needs two different players; use shapleyTerms and mainEffect for i = j");
  const full = (1 << m) - 1;
  const bi = 1 << i;
  const bj = 1 << j;
  return subsetsOf(full & ~bi & ~bj, m).map((s) => {
    const size = popcount(s);
    const weight = pairWeight(size, m);
    const coalitions = [s | bi | bj, s | bi, s | bj, s];
    const nabla = values[coalitions[0]] - values[coalitions[1]] - values[coalitions[2]] + values[coalitions[3]];
    return { S: s, size, weight, coalitions, signs: [1, -1, -1, 1], nabla, contribution: weight.value * nabla };
  });
}

function sum(rows) {
  let t = 0;
  for (const r of rows) t += r.contribution;
  return t;
}

/** Exact Shapley values, Float64Array(M). */
export function shapleyValues(values) {
  const m = nPlayers(values.length);
  return Float64Array.from({ length: m }, (_, i) => sum(shapleyTerms(values, i)));
}

/** φ_ij (i ≠ j), half the Shapley interaction index. */
export function pairValue(values, i, j) {
  return sum(pairTerms(values, i, j));
}

/** Main effect φ_ii = φ_i − Σ_{j≠i} φ_ij with its parts {shapley, pairs: [{j, value}], value}. */
export function mainEffect(values, i) {
  const m = nPlayers(values.length);
  const shapley = sum(shapleyTerms(values, i));
  const pairs = [];
  for (let j = 0; j < m; j++) if (j !== i) pairs.push({ j, value: pairValue(values, i, j) });
  return { shapley, pairs, value: pairs.reduce((t, p) => t - p.value, shapley) };
}

/** The symmetric (M, M) interaction matrix φ, row-major Float64Array (rows sum to φ_i). */
export function interactionMatrix(values) {
  const m = nPlayers(values.length);
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) out[i * m + j] = out[j * m + i] = pairValue(values, i, j);
  }
  const shap = shapleyValues(values);
  for (let i = 0; i < m; i++) {
    let rest = 0;
    for (let j = 0; j < m; j++) if (j !== i) rest += out[i * m + j];
    out[i * m + i] = shap[i] - rest;
  }
  return out;
}

/** InterSHAP of one game: Σ_{i≠j} |φ_ij| / Σ_ij |φ_ij| (NaN when φ is all zero). */
export function gameIntershap(mat) {
  const m = Math.round(Math.sqrt(mat.length));
  return intershapScore(Float64Array.from(mat, Math.abs), m);
}

/** Coalition values of preset `name` for m players (Float64Array(2**m), v(∅) = 0). */
export function presetValues(name, m) {
  if (!(name in PRESETS)) throw new Error(`unknown preset ${JSON.stringify(name)}; choose one of ${Object.keys(PRESETS).join(", ")}`);
  if (!(m >= MIN_PLAYERS && m <= MAX_PLAYERS)) throw new Error(`presets need ${MIN_PLAYERS}-${MAX_PLAYERS} players, got ${m}`);
  const full = (1 << m) - 1;
  return Float64Array.from({ length: 1 << m }, (_, s) => {
    const k = popcount(s);
    switch (name) {
      case "xor": return s === full ? 1 : 0;
      case "and": return (2 ** k - 1) / (2 ** m - 1);
      case "or": return k > 0 ? 1 : 0;
      case "additive": return members(s, m).reduce((t, i) => t + i + 1, 0);
      case "redundant": return (s & 3 ? 1 : 0) + popcount(s >> 2);
      default: return k > m / 2 ? 1 : 0; // majority
    }
  });
}

/**
 * The preset a game reads as after an edit: `preset` while `values` still equal it, else
 * any preset they equal (first in PRESETS order), else "custom" (teaching.detect_preset).
 */
export function presetAfterEdit(preset, values) {
  const m = nPlayers(values.length);
  if (!(m >= MIN_PLAYERS && m <= MAX_PLAYERS) || values.length !== 1 << m) return "custom";
  const same = (name) => presetValues(name, m).every((v, s) => Math.abs(v - values[s]) <= 1e-12);
  if (preset in PRESETS && same(preset)) return preset;
  return Object.keys(PRESETS).find(same) ?? "custom";
}

/**
 * The game resized to `m` players: added players are null players (v(S) = v(S minus the
 * new players)), removed players are dropped (the game restricted to the first m).
 */
export function resizeGame(values, m) {
  const old = nPlayers(values.length);
  const keep = (1 << Math.min(old, m)) - 1;
  return Float64Array.from({ length: 1 << m }, (_, s) => values[s & keep]);
}

/** Default player names A, B, C, D. */
export function defaultNames(m) {
  return Array.from({ length: m }, (_, i) => String.fromCharCode(65 + i));
}
