// The explorer's grid: which panels share a row, chosen from the width the explorer is
// given and the widths its panels need, so that 1,100–1,800 px are filled without large
// gaps, the linked views sit within one screen at 1,280 px, and 800 px stays short.
//
//   wide   (4 columns)  heat | bars | scatter | pair / orders
//   medium (3 columns)  heat | scatter | pair,  then  bars (share beside waterfall) | orders
//   tiered (2 columns)  heat | scatter,  then  bars (share beside waterfall) | pair over orders
//   narrow (2 columns)  heat | scatter,  then bars,  then pair | orders
//   single (1 column)   heat, scatter, bars, then pair | orders

const GAP = 10;
const CHROME = 32; // the scatter panel's padding and border, and a little slack
export const SCATTER_MIN = 300;
export const SCATTER_MAX = 620;

/**
 * The layout for `avail` px and the panels' widths `w` {heat, bars, side} (px; bars
 * with its two sections stacked, side the wider of the pair and order panels).
 * @returns {{name: "wide"|"medium"|"tiered"|"narrow"|"single", scatter: number, barsStacked: boolean}}
 */
export function chooseLayout(avail, w) {
  const room = (used, gaps) => avail - used - gaps * GAP - CHROME;
  let left = room(w.heat + w.bars + w.side, 3);
  if (left >= SCATTER_MIN) return { name: "wide", scatter: Math.min(SCATTER_MAX, Math.floor(left)), barsStacked: true };
  left = room(w.heat + w.side, 2);
  if (left >= SCATTER_MIN) return { name: "medium", scatter: Math.min(SCATTER_MAX, Math.floor(left)), barsStacked: false };
  const first = Math.max(w.heat, 2 * w.bars);
  left = room(first, 1);
  if (left >= SCATTER_MIN && avail - first - GAP >= w.side) return { name: "tiered", scatter: Math.min(SCATTER_MAX, Math.floor(left)), barsStacked: false };
  left = room(w.heat, 1);
  if (left >= SCATTER_MIN) return { name: "narrow", scatter: Math.min(SCATTER_MAX, Math.floor(left)), barsStacked: false };
  return { name: "single", scatter: Math.max(240, Math.min(SCATTER_MAX, Math.floor(avail - CHROME))), barsStacked: false };
}

/**
 * Whether the explorer should be laid out again: another layout, a scatter that must
 * shrink (else the grid sticks out), or one that can grow by 40 px or more.
 */
export function relayoutNeeded(old, now) {
  return !old || old.name !== now.name || now.scatter < old.scatter || now.scatter - old.scatter >= 40;
}

/** The width `el` takes (px), or `fallback` where it is not laid out (detached). */
export function widthOf(el, fallback) {
  const w = el.getBoundingClientRect().width;
  return w > 0 ? Math.ceil(w) : fallback;
}
