// Text labels that fit and stay distinct: measure label widths with the widget's font
// (an offscreen canvas), size label columns from the space available, and shorten a
// long label where it is like the other names (its start, elided in the middle) while
// the part that tells it apart stays visible; the full text stays in a <title> tooltip
// and the ARIA label.

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

const WORD = /[\p{L}\p{N}]/u;

/**
 * Per name, the position (UTF-16 index) where it starts to differ from the most similar
 * other name, moved back to the start of that word; 0 when it differs at once, its
 * length when another name starts with all of it.
 * @param {string[]} names @returns {number[]}
 */
export function distinctFrom(names) {
  return names.map((a, i) => {
    let l = 0;
    names.forEach((b, j) => {
      if (j === i) return;
      let k = 0;
      while (k < a.length && k < b.length && a[k] === b[k]) k++;
      l = Math.max(l, k);
    });
    if (l >= a.length) return a.length;
    while (l > 0 && WORD.test(a[l - 1]) && WORD.test(a[l])) l--; // not in the middle of a word
    while (l < a.length && a[l] === " ") l++;
    return l;
  });
}

/**
 * `text` in at most `max` px with its distinct part (from UTF-16 index `from`, see
 * distinctFrom) kept in view: the whole text when it fits; else its common start elided
 * in the middle ("handwritten d…TL"); else "…" and the distinct part cut at its end.
 * @param {string} text @param {number} from @param {number} max @param {(s: string) => number} measure
 */
export function fitDistinct(text, from, max, measure) {
  if (measure(text) <= max) return text;
  if (!(from > 0) || from >= text.length) return fitText(text, max, measure);
  const tail = text.slice(from);
  const room = max - measure(ELLIPSIS);
  if (measure(tail) > room) return ELLIPSIS + fitText(tail, room, measure);
  const head = Array.from(text.slice(0, from));
  let lo = 0;
  let hi = head.length;
  while (lo < hi) { // largest h with measure(head(h) + "…" + tail) <= max
    const h = Math.ceil((lo + hi) / 2);
    if (measure(head.slice(0, h).join("").trimEnd() + ELLIPSIS + tail) <= max) lo = h;
    else hi = h - 1;
  }
  return head.slice(0, lo).join("").trimEnd() + ELLIPSIS + tail;
}

/**
 * Width of a label column: the widest full label when it fits in `cap` px, else `cap`
 * widened (up to the widest full label) to show the longest distinct part after "…";
 * at least `floor`. @param {string[]} texts @param {number[]} from distinctFrom(texts)
 * @returns px, rounded up
 */
export function columnWidth(texts, from, measure, cap, floor = 0) {
  let full = 0;
  let part = 0;
  texts.forEach((t, q) => {
    full = Math.max(full, measure(t));
    const f = from ? from[q] : 0;
    if (f > 0 && f < t.length) part = Math.max(part, measure(ELLIPSIS + t.slice(f)));
  });
  return Math.ceil(Math.max(floor, Math.min(full, Math.max(cap, part))));
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
 * Show `full` in the SVG text `node`, shortened to `max` px (keeping its distinct part
 * from index `from`, see fitDistinct); a shortened label keeps the full text as its
 * tooltip. The ARIA label always carries the full text.
 */
export function setLabel(node, full, max, measure, from = 0) {
  return showLabel(node, full, fitDistinct(full, from, max, measure));
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
 * "a × b" in at most `max` px, each name shortened on its own (keeping its distinct part
 * from `fa` / `fb`, see fitDistinct) so that pairs sharing a first modality stay
 * distinguishable ("clinical n… × vital sig…", never "clinical notes × …").
 * The first name gets at most half of the room unless the second needs less.
 */
export function fitPair(a, b, max, measure, fa = 0, fb = 0) {
  const full = `${a} × ${b}`;
  if (measure(full) <= max) return full;
  const room = Math.max(0, max - measure(" × "));
  const wb = measure(b);
  const wa = measure(a);
  let ra = room / 2;
  if (wb < room / 2) ra = room - wb;
  else if (wa < room / 2) ra = wa;
  const sa = fitDistinct(a, fa, ra, measure);
  const sb = fitDistinct(b, fb, Math.max(0, room - measure(sa)), measure);
  return `${sa} × ${sb}`;
}

/** Like setLabel, with a pair label fitted by fitPair. */
export function setPairLabel(node, a, b, max, measure, fa = 0, fb = 0) {
  return showLabel(node, `${a} × ${b}`, fitPair(a, b, max, measure, fa, fb));
}
