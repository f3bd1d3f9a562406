// Many points on a canvas: per-pixel counts drawn with log-scaled opacity (a 2-D
// histogram), so 100,000 samples stay readable and quick to draw.

/** [r, g, b] of a "#rrggbb" colour. */
export function rgbOf(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [v >> 16, (v >> 8) & 255, v & 255];
}

const WHOLE = { kx: 1, ky: 1, tx: 0, ty: 0 };

/**
 * Draw the points (px[q], py[q]) (CSS pixels; NaN y = not drawn) of `list` (null = all
 * n) onto the 2-D context `g` of a canvas scaled by `dpr`, in `colour`, "source over",
 * each pixel's opacity growing with the log of the points it holds (density shading).
 * `view` zooms the positions (js/zoom.js); `clip` {x0, x1, y0, y1} (CSS px) bounds them.
 */
export function density(g, px, py, list, n, dpr, colour, view = WHOLE, clip = null) {
  const gw = g.canvas.width;
  const gh = g.canvas.height;
  const counts = new Uint32Array(gw * gh);
  const len = list ? list.length : n;
  const { kx, ky, tx, ty } = view;
  const [x0, x1, y0, y1] = clip ? [clip.x0 * dpr, clip.x1 * dpr, clip.y0 * dpr, clip.y1 * dpr] : [0, gw, 0, gh];
  let max = 0;
  for (let t = 0; t < len; t++) {
    const q = list ? list[t] : t;
    const y = py[q];
    if (y !== y) continue;
    const cx = Math.floor((px[q] * kx + tx) * dpr);
    const cy = Math.floor((y * ky + ty) * dpr);
    if (cx < x0 || cy < y0 || cx >= x1 || cy >= y1 || cx >= gw || cy >= gh) continue;
    const c = ++counts[cy * gw + cx];
    if (c > max) max = c;
  }
  const [r, gr, b] = rgbOf(colour);
  const img = g.getImageData(0, 0, gw, gh);
  const data = img.data;
  const norm = 1 / Math.log1p(max || 1);
  for (let p = 0; p < counts.length; p++) {
    const c = counts[p];
    if (!c) continue;
    const a = 0.35 + 0.65 * Math.log1p(c) * norm;
    // "source over" in ImageData's non-premultiplied RGBA
    const o = p * 4;
    const da = (data[o + 3] / 255) * (1 - a);
    const oa = a + da;
    data[o] = (r * a + data[o] * da) / oa;
    data[o + 1] = (gr * a + data[o + 1] * da) / oa;
    data[o + 2] = (b * a + data[o + 2] * da) / oa;
    data[o + 3] = 255 * oa;
  }
  g.putImageData(img, 0, 0);
}
