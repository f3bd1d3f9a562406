// Zoom and pan of a 2-D plot as an affine view of its pixel positions: a point drawn at
// (x, y) in the unzoomed plot is shown at (x·kx + tx, y·ky + ty). The view never zooms
// out past the whole plot and never pans the data out of the plot area.

/** The unzoomed view. */
export const IDENTITY = Object.freeze({ kx: 1, ky: 1, tx: 0, ty: 0 });

const MAX_ZOOM = 400;

/** Whether `v` shows the whole plot. */
export function isIdentity(v) {
  return v.kx === 1 && v.ky === 1 && v.tx === 0 && v.ty === 0;
}

/**
 * `v` made valid for the plot area `box` {x0, x1, y0, y1} (px): zoom factors in
 * [1, 400], translations that keep the area covered by the zoomed plot.
 */
export function clampView(v, box) {
  const kx = Math.max(1, Math.min(MAX_ZOOM, v.kx));
  const ky = Math.max(1, Math.min(MAX_ZOOM, v.ky));
  const tx = Math.min(box.x0 - box.x0 * kx, Math.max(box.x1 - box.x1 * kx, v.tx));
  const ty = Math.min(box.y0 - box.y0 * ky, Math.max(box.y1 - box.y1 * ky, v.ty));
  return { kx, ky, tx: Math.abs(tx) < 1e-9 ? 0 : tx, ty: Math.abs(ty) < 1e-9 ? 0 : ty };
}

/** Zoom by `fx`, `fy` about the screen point (mx, my), which stays where it is. */
export function zoomAt(v, mx, my, fx, fy, box) {
  const kx = Math.max(1, Math.min(MAX_ZOOM, v.kx * fx));
  const ky = Math.max(1, Math.min(MAX_ZOOM, v.ky * fy));
  const gx = kx / v.kx;
  const gy = ky / v.ky;
  return clampView({ kx, ky, tx: mx - (mx - v.tx) * gx, ty: my - (my - v.ty) * gy }, box);
}

/** Pan by (dx, dy) screen pixels. */
export function panBy(v, dx, dy, box) {
  return clampView({ ...v, tx: v.tx + dx, ty: v.ty + dy }, box);
}

/** Screen position of an unzoomed x / y. */
export const screenX = (v, x) => x * v.kx + v.tx;
export const screenY = (v, y) => y * v.ky + v.ty;
/** Unzoomed position of a screen x / y. */
export const plotX = (v, x) => (x - v.tx) / v.kx;
export const plotY = (v, y) => (y - v.ty) / v.ky;
