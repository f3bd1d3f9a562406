import test from "node:test";
import assert from "node:assert/strict";
import { fitText, labelWidth, measurer, distinctFrom, fitDistinct, fitPair, columnWidth } from "../../js/labels.js";

const mono = (s) => 7 * Array.from(s).length; // every glyph 7 px wide

test("fitText keeps a label that fits and truncates a long one with an ellipsis", () => {
  assert.equal(fitText("lab values", 70, mono), "lab values");
  const out = fitText("vital signs time series", 70, mono);
  assert.equal(out, "vital sig…", "the longest prefix that fits with the ellipsis (10 glyphs = 70 px)");
  assert.ok(mono(out) <= 70 && mono("vital sign…") > 70);
  assert.equal(fitText("chest x-ray", 3, mono), "…", "nothing fits: just the ellipsis");
});

test("fitText drops a trailing space before the ellipsis and never splits a code point", () => {
  assert.equal(fitText("clinical notes", 70, mono), "clinical…");
  assert.equal(fitText("𝒳𝒳𝒳𝒳𝒳𝒳", 30, mono), "𝒳𝒳𝒳…", "3 astral glyphs + … = 28 px");
});

test("labelWidth is the widest label, capped", () => {
  assert.equal(labelWidth(["ab", "abcd", "a"], mono, 100), 28);
  assert.equal(labelWidth(["a".repeat(40)], mono, 100), 100);
  assert.equal(labelWidth([], mono, 100), 0);
});

test("measurer falls back to an estimate without a DOM", () => {
  const m = measurer(null, 10);
  assert.ok(m("abcd") > m("ab") && m("ab") > 0);
});

test("fitPair truncates each name on its own so pairs stay distinguishable", async () => {
  const { fitPair } = await import("../../js/labels.js");
  const names = ["clinical notes", "chest x-ray image", "lab values", "vital signs time series and more"];
  const shown = [];
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) shown.push(fitPair(names[i], names[j], 150, mono));
  assert.equal(new Set(shown).size, shown.length, shown.join(" | "));
  for (const s of shown) assert.ok(mono(s) <= 150, s);
  assert.equal(fitPair("a", "b", 150, mono), "a × b");
  const short = fitPair("lab", "vital signs time series and more", 150, mono);
  assert.ok(short.startsWith("lab × vital signs") && short.endsWith("…") && mono(short) <= 150,
    `a short first name keeps its full width, the second takes the rest: ${short}`);
});

test("sharedScale gives one unit and decimals per panel", async () => {
  const { sharedScale, fmtInt, interval } = await import("../../js/scales.js");
  const a = sharedScale(0.0201);
  assert.equal(a.unit, "");
  assert.equal(a.fmt(0.0201), "0.0201");
  assert.equal(a.fmt(2.23e-6), "0");
  const b = sharedScale(3.1e-5);
  assert.equal(b.unit, "×10⁻⁶");
  assert.equal(b.fmt(3.1e-5), "31.0");
  assert.equal(b.fmt(-2e-6), "−2.0");
  assert.equal(sharedScale(123456).unit, "×10³");
  assert.equal(fmtInt(100000), "100,000");
  assert.equal(fmtInt(999), "999");
  assert.equal(interval([0.441, 0.469]), " [44.1, 46.9]");
  assert.equal(interval([0.4, null]), "");
});

const DIGITS = ["TL", "TR", "BL", "BR"].map((c) => `handwritten digit, 4x4 pixel block at ${c}`);

test("distinctFrom finds where each name starts to differ, at the start of that word", () => {
  assert.deepEqual(distinctFrom(DIGITS), DIGITS.map(() => "handwritten digit, 4x4 pixel block at ".length));
  assert.deepEqual(distinctFrom(["clinical notes", "clinical notes (discharge summary)", "x-ray"]), [14, 15, 0]);
  assert.deepEqual(distinctFrom(["text"]), [0]);
});

test("names sharing a long prefix stay distinct at every width, the full text never lost", () => {
  const from = distinctFrom(DIGITS);
  for (const max of [40, 60, 90, 130, 190, 400]) {
    const shown = DIGITS.map((d, q) => fitDistinct(d, from[q], max, mono));
    assert.equal(new Set(shown).size, 4, `distinct at ${max} px: ${shown}`);
    shown.forEach((t, q) => {
      assert.ok(mono(t) <= max || t === "…", `${t} fits ${max}`);
      if (t !== DIGITS[q]) assert.ok(t.includes("…") && t.endsWith(DIGITS[q].slice(-2)), t);
    });
  }
  assert.equal(fitDistinct(DIGITS[0], from[0], 130, mono), "handwritten dig…TL", "the common start elided in the middle");
  assert.equal(fitDistinct(DIGITS[0], from[0], 400, mono), DIGITS[0], "fits: unchanged");
  // a distinct part too long for the room: "…" and the distinct part cut at its end
  assert.equal(fitDistinct("same start, one long distinct tail", 12, 70, mono), "…one long…");
});

test("a pair keeps both names' distinct parts", () => {
  const from = distinctFrom(DIGITS);
  const shown = [[0, 1], [0, 2], [1, 3]].map(([a, b]) => fitPair(DIGITS[a], DIGITS[b], 200, mono, from[a], from[b]));
  assert.equal(new Set(shown).size, 3, shown.join(" | "));
  for (const t of shown) assert.ok(mono(t) <= 200, t);
});

test("columnWidth: the widest name when it fits the room, else the room, widened for the distinct part", () => {
  assert.equal(columnWidth(["ab", "abcd"], [0, 0], mono, 100), 28);
  assert.equal(columnWidth(DIGITS, distinctFrom(DIGITS), mono, 100), 100);
  const long = ["a shared start that is long, then part one", "a shared start that is long, then part two"];
  assert.equal(columnWidth(long, distinctFrom(long), mono, 20), mono("…one"));
  assert.equal(columnWidth(["ab"], [0], mono, 5, 60), 60, "the floor");
});
