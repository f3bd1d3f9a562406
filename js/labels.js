// Text labels that fit: measure label widths with the widget's font (an offscreen
// canvas), size margins to the longest label up to a cap, and truncate longer labels
// with an ellipsis while the full text stays in a <title> tooltip and the ARIA label.

import { tooltip } from "./dom.js";

const FALLBACK_FONT = "system-ui, sans-serif";
const ELLIPSIS = "…";

/**
 * The longest prefix of `text` that, followed by "…", is at most `max` px wide
 * (`measure(s)` gives a string's width). Returns `text` itself when it fits, "…"
 * when not even one character does.
 * @param {string} text @param {number} max @param {(s: string) => number} measure
 */
export function fitText(text, max, measure) {
  if (measure(text) <= max) return text;
  const chars = Array.from(text); // code points: never split a surrogate pair
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) { // largest k with measure(prefix(k) + "…") <= max
    const k = Math.ceil((lo + hi) / 2);
    if (measure(chars.slice(0, k).join("").trimEnd() + ELLIPSIS) <= max) lo = k;
    else hi = k - 1;
  }
  return chars.slice(0, lo).join("").trimEnd() + ELLIPSIS;
}

/**
 * Width for a column of labels: the widest of `texts`, capped at `cap` (labels wider
 * than the cap are truncated by fitText). @returns px, rounded up
 */
export function labelWidth(texts, measure, cap) {
  let w = 0;
  for (const t of texts) w = Math.max(w, measure(t));
  return Math.ceil(Math.min(cap, w));
}

let canvas = null;

/** The font family the widget's text uses (JupyterLab's UI font, else the CSS fallback). */
function fontFamily(el) {
  const doc = el?.ownerDocument ?? (typeof document !== "undefined" ? document : null);
  if (!doc) return FALLBACK_FONT;
  const own = el && el.isConnected ? getComputedStyle(el).fontFamily : "";
  if (own) return own;
  const v = getComputedStyle(doc.documentElement).getPropertyValue("--jp-ui-font-family").trim();
  return v || FALLBACK_FONT;
}

/**
 * A text-width function for `size` px text in the font of `el` (offscreen canvas
 * measureText; an average-glyph estimate where no canvas exists). Widths are padded
 * by 3 % so small rendering differences never clip.
 * @returns {(s: string) => number}
 */
export function measurer(el, size) {
  const doc = el?.ownerDocument ?? (typeof document !== "undefined" ? document : null);
  let c2d = null;
  if (doc) {
    canvas = canvas ?? doc.createElement("canvas");
    c2d = canvas.getContext("2d");
  }
  if (!c2d) return (s) => 0.62 * size * Array.from(s).length;
  const font = `${size}px ${fontFamily(el)}`;
  const memo = new Map();
  return (s) => {
    if (!memo.has(s)) {
      c2d.font = font;
      memo.set(s, c2d.measureText(s).width * 1.03);
    }
    return memo.get(s);
  };
}

/**
 * Show `full` in the SVG text `node`, truncated to `max` px; a truncated label keeps
 * the full text as its tooltip. The ARIA label always carries the full text.
 */
export function setLabel(node, full, max, measure) {
  return showLabel(node, full, fitText(full, max, measure));
}

/** `shown` as the text of `node`; the full text as its ARIA label, and as a tooltip when cut. */
function showLabel(node, full, shown) {
  node.textContent = shown;
  node.setAttribute("aria-label", full);
  if (shown !== full) {
    tooltip(node, full);
    node.setAttribute("data-full", full);
  }
  return node;
}

/**
 * "a × b" in at most `max` px, each name truncated on its own so that pairs sharing a
 * first modality stay distinguishable ("clinical n… × vital sig…", never "clinical notes × …").
 * The first name gets at most half of the room unless the second needs less.
 */
export function fitPair(a, b, max, measure) {
  const full = `${a} × ${b}`;
  if (measure(full) <= max) return full;
  const room = Math.max(0, max - measure(" × "));
  const wb = measure(b);
  const wa = measure(a);
  let ra = room / 2;
  if (wb < room / 2) ra = room - wb;
  else if (wa < room / 2) ra = wa;
  const sa = fitText(a, ra, measure);
  const sb = fitText(b, Math.max(0, room - measure(sa)), measure);
  return `${sa} × ${sb}`;
}

/** Like setLabel, with a pair label fitted by fitPair. */
export function setPairLabel(node, a, b, max, measure) {
  return showLabel(node, `${a} × ${b}`, fitPair(a, b, max, measure));
}
