import test from "node:test";
import assert from "node:assert/strict";
import { fitText, labelWidth, measurer } from "../../js/labels.js";

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
