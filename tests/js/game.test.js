import test from "node:test";
import assert from "node:assert/strict";
import * as g from "../../js/game.js";

// Independent references: Shapley values as the mean marginal contribution over all
// orderings of the players; hand-computed numbers of small games.
function permutations(xs) {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, k) => permutations([...xs.slice(0, k), ...xs.slice(k + 1)]).map((p) => [x, ...p]));
}

function shapleyByOrderings(values, m) {
  const out = new Array(m).fill(0);
  const orders = permutations([...Array(m).keys()]);
  for (const order of orders) {
    let s = 0;
    for (const i of order) { out[i] += values[s | (1 << i)] - values[s]; s |= 1 << i; }
  }
  return out.map((x) => x / orders.length);
}

function randomGame(m, seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Float64Array.from({ length: 1 << m }, rnd);
}

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("Shapley values equal the mean marginal contribution over orderings", () => {
  for (const m of [2, 3, 4]) {
    const v = randomGame(m, 11 + m);
    const ref = shapleyByOrderings(v, m);
    g.shapleyValues(v).forEach((x, i) => close(x, ref[i]));
  }
});

test("the matrix is symmetric, rows sum to Shapley values, the total to v(N) - v(∅)", () => {
  for (const m of [2, 3, 4]) {
    const v = randomGame(m, 5 * m);
    const phi = g.interactionMatrix(v);
    const shap = g.shapleyValues(v);
    let total = 0;
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let j = 0; j < m; j++) { close(phi[i * m + j], phi[j * m + i]); row += phi[i * m + j]; }
      close(row, shap[i]);
      total += row;
      close(g.mainEffect(v, i).value, phi[i * m + i]);
    }
    close(total, v[(1 << m) - 1] - v[0]);
  }
});

test("pair terms: one row per S ⊆ N∖{i,j}, the paper's weights, ∇ from four coalitions", () => {
  const m = 4;
  const v = randomGame(m, 3);
  const rows = g.pairTerms(v, 1, 3);
  assert.deepEqual(rows.map((r) => r.S), [0, 1, 4, 5]); // ∅, {0}, {2}, {0,2}: by size, then bitmask
  // M = 4: |S|!(M-|S|-2)!/(2(M-1)!) = 2/12, 1/12, 1/12, 2/12
  assert.deepEqual(rows.map((r) => r.weight.text), ["1/6", "1/12", "1/12", "1/6"]);
  close(rows.reduce((t, r) => t + r.weight.value, 0), 0.5); // the weights of φ_ij sum to 1/2
  const r = rows[3];
  assert.deepEqual(r.coalitions, [15, 7, 13, 5]);
  close(r.nabla, v[15] - v[7] - v[13] + v[5]);
  close(r.contribution, r.nabla / 6);
  assert.throws(() => g.pairTerms(v, 2, 2), /different players/);
});

test("Shapley terms: weights |S|!(M-|S|-1)!/M! summing to 1 over each size class", () => {
  const v = randomGame(3, 9);
  const rows = g.shapleyTerms(v, 0);
  assert.deepEqual(rows.map((r) => r.S), [0, 2, 4, 6]);
  assert.deepEqual(rows.map((r) => r.weight.text), ["1/3", "1/6", "1/6", "1/3"]);
  assert.deepEqual(rows[2].coalitions, [5, 4]);
  close(rows[2].marginal, v[5] - v[4]);
});

test("presets: hand-computed games of 2 players", () => {
  const p = (name) => Array.from(g.presetValues(name, 2));
  assert.deepEqual(p("xor"), [0, 0, 0, 1]);
  assert.deepEqual(p("and"), [0, 1 / 3, 1 / 3, 1]);
  assert.deepEqual(p("or"), [0, 1, 1, 1]);
  assert.deepEqual(p("additive"), [0, 1, 2, 3]);
  assert.deepEqual(p("redundant"), p("or"));
  assert.deepEqual(p("majority"), p("xor"));
  // XOR: all synergy; OR: redundancy (negative interaction), main effects 1
  assert.deepEqual(Array.from(g.interactionMatrix(p("xor"))), [0, 0.5, 0.5, 0]);
  assert.deepEqual(Array.from(g.interactionMatrix(p("or"))), [1, -0.5, -0.5, 1]);
  close(g.gameIntershap(g.interactionMatrix(p("xor"))), 1);
  close(g.gameIntershap(g.interactionMatrix(p("or"))), 1 / 3);
  close(g.gameIntershap(g.interactionMatrix(p("additive"))), 0);
  // AND: φ_AB = (1 - 1/3 - 1/3 + 0)/2 = 1/6, φ_A = 1/2, main effect 1/3
  const and = g.interactionMatrix(p("and"));
  close(and[1], 1 / 6);
  close(and[0], 1 / 3);
});

test("presets: 3 and 4 players", () => {
  // majority of 3: wins with 2 of 3; symmetric, φ_i = 1/3
  assert.deepEqual(Array.from(g.presetValues("majority", 3)), [0, 0, 0, 1, 0, 1, 1, 1]);
  g.shapleyValues(g.presetValues("majority", 3)).forEach((x) => close(x, 1 / 3));
  // redundant of 4: A, B copies (∇_AB(S) = -1 for every S, weights sum to 1/2); C, D independent
  const red = g.presetValues("redundant", 4);
  const phi = g.interactionMatrix(red);
  close(phi[0 * 4 + 1], -0.5);
  close(phi[0], 1); // main effect of A: 1/2 - (-1/2)
  for (const [i, j] of [[0, 2], [0, 3], [1, 2], [2, 3]]) close(phi[i * 4 + j], 0);
  Array.from(g.shapleyValues(red)).forEach((x, i) => close(x, [0.5, 0.5, 1, 1][i]));
  // additive: Shapley value of player i is i + 1, no interactions
  Array.from(g.shapleyValues(g.presetValues("additive", 4))).forEach((x, i) => close(x, i + 1));
  // xor of 3: every pair gets 1/4, main effects -1/6
  const x3 = g.interactionMatrix(g.presetValues("xor", 3));
  close(x3[1], 0.25);
  close(x3[0], 1 / 3 - 0.5);
  assert.throws(() => g.presetValues("nand", 2), /unknown preset/);
  assert.throws(() => g.presetValues("xor", 5), /2-4 players/);
});

test("presetAfterEdit keeps the preset only while the values are unchanged", () => {
  const v = Array.from(g.presetValues("and", 3));
  assert.equal(g.presetAfterEdit("and", v), "and");
  v[3] += 0.5;
  assert.equal(g.presetAfterEdit("and", v), "custom");
  assert.equal(g.presetAfterEdit("custom", g.presetValues("or", 2)), "or", "values equal to a preset read as it");
  assert.equal(g.presetAfterEdit("custom", g.presetValues("majority", 3)), "majority");
  assert.equal(g.presetAfterEdit("majority", g.presetValues("xor", 2)), "majority", "M = 2: majority is xor; kept");
});

test("resizing adds null players and restricts to the first players", () => {
  const v = randomGame(2, 21);
  const big = g.resizeGame(v, 4);
  const shap = g.shapleyValues(big);
  const small = g.shapleyValues(v);
  close(shap[0], small[0]);
  close(shap[1], small[1]);
  close(shap[2], 0);
  close(shap[3], 0);
  assert.deepEqual(Array.from(g.resizeGame(big, 2)), Array.from(v));
});

test("labels, sizes and fractions", () => {
  assert.equal(g.coalitionLabel(0, ["A", "B", "C"]), "∅");
  assert.equal(g.coalitionLabel(5, ["A", "B", "C"]), "{A, C}");
  assert.equal(g.popcount(13), 3);
  assert.equal(g.nPlayers(16), 4);
  assert.throws(() => g.nPlayers(6), /2\*\*M/);
  assert.equal(g.fraction(2, 12).text, "1/6");
  assert.equal(g.fraction(6, 6).text, "1");
  assert.deepEqual(g.defaultNames(3), ["A", "B", "C"]);
});
