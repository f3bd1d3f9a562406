// Sample selector: every sample's local InterSHAP against its prediction on a canvas
// (smooth for N = 100,000, density-shaded where dots overlap). Click selects a sample,
// drag brushes a subset (or pans, with the pan toggle or Shift), the wheel zooms, arrows
// or prev/next step through the active samples, a number box jumps to an index, the
// x axis shows the prediction, its log-odds or its rank, and the selects filter by
// the model's prediction and by label.

import { html } from "./dom.js";
import { linear, extent, ticks, fmt, pctOr, pm, fmtInt } from "./scales.js";
import { density } from "./density.js";
import { IDENTITY, isIdentity, zoomAt, panBy, screenX, screenY, plotX, plotY } from "./zoom.js";
import { xModes, xValues, xTitle } from "./scatterx.js";
import { createSelectorControls } from "./selector_controls.js";

const H = 270;
const PAD = { l: 46, r: 10, t: 10, b: 34 };

/** The default x axis: log-odds when most probabilities are within 0.02 of 0 or 1 (a wall). */
function defaultMode(pred, modes) {
  if (!modes.includes("log-odds")) return "prediction";
  let edge = 0;
  for (let a = 0; a < pred.length; a++) if (Math.min(pred[a], 1 - pred[a]) < 0.02) edge++;
  return edge > 0.5 * pred.length ? "log-odds" : "prediction";
}

/** @param {HTMLElement} parent @param {any} ctx */
export function createSelector(parent, ctx) {
  const { store, n } = ctx;
  const W = ctx.scatterWidth ?? 330;
  const keep = ctx.persist ?? {}; // x axis and zoom, kept when the explorer redraws (theme, width)
  const box = html("div", { class: "isw-panel isw-selector", style: `width:${W + 18}px` }, parent);
  html("div", { class: "isw-title", text: "Samples: local InterSHAP vs prediction" }, box);
  const ui = createSelectorControls(box, ctx);
  const modes = xModes(ctx.predictions(ctx.ownClass), ctx.probability);
  let mode = modes.includes(keep.mode) ? keep.mode : defaultMode(ctx.predictions(ctx.ownClass), modes);
  for (const md of modes) html("option", { value: md, text: md }, ui.axis);
  ui.axis.value = mode;
  const area = { x0: PAD.l, x1: W - PAD.r, y0: PAD.t, y1: H - PAD.b };
  let view = keep.width === W && keep.view ? keep.view : IDENTITY;

  const wrap = html("div", { class: "isw-canvas-wrap", style: `width:${W}px;height:${H}px` }, box);
  const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
  const mk = (role) => {
    const c = html("canvas", { width: W * dpr, height: H * dpr, style: `width:${W}px;height:${H}px` }, wrap);
    if (role) for (const [k, v] of Object.entries(role)) c.setAttribute(k, v);
    const g = c.getContext("2d");
    g.scale(dpr, dpr);
    return [c, g];
  };
  const made = mk({ "aria-hidden": "true" });
  const baseCanvas = made[0];
  let bg = made[1];
  const [overCanvas, og] = mk({
    role: "img", tabindex: 0, class: "isw-scatter",
    "aria-label": `scatter of ${n} samples: click selects a sample, drag brushes a subset, Shift+drag pans, the wheel or + and − zoom, 0 resets, arrow keys step, Escape clears the brush`,
  });
  const mark = html("div", { class: "isw-sr isw-selected-mark", role: "img" }, wrap);
  const tip = html("div", { class: "isw-tip", "aria-hidden": "true" }, wrap);
  let hoverFrame = 0;
  let paintFrame = 0;

  let xs = linear([0, 1], [PAD.l, W - PAD.r]);
  let ys = linear([0, 1], [H - PAD.b, PAD.t]);
  let px = null;
  let py = null;
  let drag = null;

  /** Pixel positions of every sample for class `c` on x axis `md` (kept: a switch back is free). */
  function positions(c, md = mode) {
    return ctx.memo(`scatter${c}|${md}|${W}`, () => {
      const xv = xValues(ctx.predictions(c), md);
      const loc = ctx.local(c);
      const sx = linear(extent(xv), [PAD.l + 4, W - PAD.r - 4]);
      const sy = linear([0, 1], [H - PAD.b - 4, PAD.t + 4]);
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let a = 0; a < n; a++) {
        x[a] = sx(xv[a]);
        y[a] = Number.isFinite(loc[a]) ? sy(loc[a]) : NaN;
      }
      return { sx, sy, x, y };
    });
  }
  ctx.warmHooks.push((c) => positions(c));

  function layout() {
    ({ sx: xs, sy: ys, x: px, y: py } = positions(store.get().cls));
    // the mapping, for tests and assistive tooling: pixels of the x axis' [min, max] and of 0 / 1
    overCanvas.dataset.xPixels = `${xs.range[0]},${xs.range[1]}`;
    overCanvas.dataset.yPixels = `${ys.range[0]},${ys.range[1]}`;
    overCanvas.dataset.xDomain = `${xs.domain[0]},${xs.domain[1]}`;
    overCanvas.dataset.xMode = mode;
  }

  // The base layer of "all samples, nothing brushed or filtered, not zoomed" is kept per
  // class and x axis (and drawn ahead for the other classes when the page is idle): a
  // class switch then copies it instead of redrawing 100,000 points.
  const baseCache = new Map();

  function drawBase() {
    const s = store.get();
    const filt = ctx.filtered(s);
    const brushed = s.indices.length ? ctx.active(s) : null;
    const plain = !filt && !brushed && isIdentity(view);
    const key = `${s.cls}|${mode}`;
    if (plain && baseCache.has(key)) {
      bg.save();
      bg.setTransform(1, 0, 0, 1, 0, 0);
      bg.clearRect(0, 0, baseCanvas.width, baseCanvas.height);
      bg.drawImage(baseCache.get(key), 0, 0);
      bg.restore();
    } else {
      paintBase(filt, brushed);
      if (plain) baseCache.set(key, snapshot(baseCanvas));
    }
    const active = ctx.active(s);
    ui.count.textContent = `${fmtInt(active ? active.length : n)} of ${fmtInt(n)} samples active`;
    ui.clear.disabled = !s.indices.length;
    ui.reset.disabled = isIdentity(view);
    overCanvas.dataset.view = `${view.kx},${view.tx},${view.ky},${view.ty}`;
  }

  /** A copy of a canvas' pixels. */
  function snapshot(src) {
    const c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height;
    c.getContext("2d").drawImage(src, 0, 0);
    return c;
  }

  /** Draw class `c`'s plain base layer into the cache, off screen (an idle-time warm-up). */
  function prerender(c) {
    const s = store.get();
    if (c === s.cls || baseCache.has(`${c}|${mode}`) || n <= 5000) return;
    const saved = [bg, px, py, xs, ys, view];
    const off = document.createElement("canvas");
    off.width = baseCanvas.width;
    off.height = baseCanvas.height;
    bg = off.getContext("2d");
    bg.scale(dpr, dpr);
    ({ sx: xs, sy: ys, x: px, y: py } = positions(c));
    view = IDENTITY;
    try { paintBase(null, null, c); baseCache.set(`${c}|${mode}`, off); } finally { [bg, px, py, xs, ys, view] = saved; }
  }
  ctx.warmHooks.push(prerender);

  function axes(cls) {
    bg.font = "10px sans-serif";
    bg.fillStyle = ctx.colours.text;
    bg.strokeStyle = ctx.colours.grid;
    bg.lineWidth = 1;
    bg.beginPath();
    bg.moveTo(PAD.l, PAD.t); bg.lineTo(PAD.l, H - PAD.b); bg.lineTo(W - PAD.r, H - PAD.b);
    bg.stroke();
    // ticks of what is in view: the data values at the plot area's edges
    const yLo = ys.invert(plotY(view, area.y1));
    const yHi = ys.invert(plotY(view, area.y0));
    bg.textAlign = "right";
    const yStep = yHi - yLo < 0.2 ? 1 : 0;
    for (const tv of ticks(yLo, yHi, 4)) bg.fillText(`${(tv * 100).toFixed(yStep)}%`, PAD.l - 4, screenY(view, ys(tv)) + 3);
    bg.textAlign = "center";
    const xLo = xs.invert(plotX(view, area.x0));
    const xHi = xs.invert(plotX(view, area.x1));
    for (const tv of ticks(xLo, xHi, Math.max(3, Math.round(W / 80)))) {
      const x = screenX(view, xs(tv));
      if (x >= PAD.l && x <= W - PAD.r) bg.fillText(mode === "rank" ? fmtInt(tv) : fmt(tv, 3), x, H - PAD.b + 12);
    }
    bg.fillText(xTitle(mode, ctx.quantity(cls)), (PAD.l + W - PAD.r) / 2, H - 6);
    bg.save();
    bg.translate(11, (PAD.t + H - PAD.b) / 2);
    bg.rotate(-Math.PI / 2);
    bg.fillText("local InterSHAP", 0, 0);
    bg.restore();
  }

  function paintBase(filt, brushed, cls = store.get().cls) {
    bg.clearRect(0, 0, W, H);
    axes(cls);
    const size = n > 20000 ? 1.5 : n > 2000 ? 2.5 : 4;
    const half = size / 2;
    const alpha = n > 20000 ? 0.35 : n > 2000 ? 0.55 : 0.8;
    const dots = n > 5000 ? (list, colour) => density(bg, px, py, list, n, dpr, colour, view, area) : (list, colour, a) => {
      bg.save();
      bg.beginPath();
      bg.rect(area.x0, area.y0, area.x1 - area.x0, area.y1 - area.y0);
      bg.clip();
      bg.globalAlpha = a;
      bg.fillStyle = colour;
      const len = list ? list.length : n;
      for (let t = 0; t < len; t++) {
        const q = list ? list[t] : t;
        const y = py[q];
        if (y === y) bg.fillRect(screenX(view, px[q]) - half, screenY(view, y) - half, size, size);
      }
      bg.restore();
    };
    if (filt || brushed) dots(null, ctx.colours.faint, 0.25);
    if (!brushed) dots(filt, ctx.colours.set, alpha);
    else dots(brushed, ctx.colours.brush, alpha);
    bg.globalAlpha = 1;
  }

  /** Show the selected sample's number in the box (also while it has focus: `force`). */
  function showNumber(force) {
    if (force || document.activeElement !== ui.input) ui.input.value = String(ctx.sampleNumber(store.get().sample));
  }

  function drawOverlay() {
    const s = store.get();
    og.clearRect(0, 0, W, H);
    if (drag && drag.moved && !drag.pan) {
      const [x, y, w, h] = [Math.min(drag.x0, drag.x1), Math.min(drag.y0, drag.y1), Math.abs(drag.x1 - drag.x0), Math.abs(drag.y1 - drag.y0)];
      og.fillStyle = ctx.colours.brush;
      og.globalAlpha = 0.15;
      og.fillRect(x, y, w, h);
      og.globalAlpha = 1;
      og.strokeStyle = ctx.colours.brush;
      og.strokeRect(x, y, w, h);
    }
    const a = s.sample;
    const x = screenX(view, px[a]);
    const y = screenY(view, Number.isFinite(py[a]) ? py[a] : H - PAD.b);
    const inView = x >= area.x0 - 1 && x <= area.x1 + 1 && y >= area.y0 - 1 && y <= area.y1 + 1;
    og.strokeStyle = ctx.colours.sample;
    if (inView) {
      og.lineWidth = 2.5;
      og.beginPath();
      og.arc(x, y, 6, 0, 2 * Math.PI);
      og.stroke();
    }
    const se = ctx.localSe(a);
    if (inView && Number.isFinite(se) && Number.isFinite(py[a])) { // error bar of the sampled local InterSHAP
      const y0 = screenY(view, ys(ctx.local(s.cls)[a] - se));
      const y1 = screenY(view, ys(ctx.local(s.cls)[a] + se));
      og.lineWidth = 1.5;
      og.beginPath();
      og.moveTo(x, y0); og.lineTo(x, y1);
      og.moveTo(x - 4, y0); og.lineTo(x + 4, y0);
      og.moveTo(x - 4, y1); og.lineTo(x + 4, y1);
      og.stroke();
    }
    og.lineWidth = 1;
    const loc = ctx.local(s.cls)[a];
    const pred = ctx.predictions(s.cls)[a];
    mark.setAttribute("aria-label", `selected sample ${ctx.sampleName(a)}: prediction ${fmt(pred)} (${ctx.quantity(s.cls)}), local InterSHAP ${pctOr(loc, "none (no behaviour)")}${pm(se, false, "pct")}${inView ? "" : "; outside the zoomed view"}`);
    mark.setAttribute("data-sample", String(a));
    mark.setAttribute("style", `left:${x}px;top:${y}px`);
    showNumber(false);
    const [before, after] = neighbours(s);
    ui.prev.disabled = !before;
    ui.next.disabled = !after;
  }

  /** Whether an active sample lies before / after the selected one. */
  function neighbours(s) {
    const list = ctx.active(s);
    if (!list) return [s.sample > 0, s.sample < n - 1];
    return [list.length > 0 && list[0] < s.sample, list.length > 0 && list[list.length - 1] > s.sample];
  }

  function point(ev) {
    const r = overCanvas.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  }

  /** The filtered sample nearest to screen point (x, y), within 14 px; −1 when none. */
  function nearest(x, y) {
    const s = store.get();
    const list = ctx.filtered(s);
    let best = -1;
    let bd = 14 * 14;
    const len = list ? list.length : n;
    const { kx, ky, tx, ty } = view;
    for (let t = 0; t < len; t++) {
      const q = list ? list[t] : t;
      const dx = px[q] * kx + tx - x;
      const dy = py[q] * ky + ty - y;
      const d = dx * dx + dy * dy;
      if (d < bd) { bd = d; best = q; }
    }
    return best;
  }

  /** The filtered samples inside the screen rectangle (x0, y0)–(x1, y1), inside the plot area. */
  function brush(x0, y0, x1, y1) {
    const s = store.get();
    const list = ctx.filtered(s);
    const clampX = (x) => Math.max(area.x0, Math.min(area.x1, x));
    const clampY = (y) => Math.max(area.y0, Math.min(area.y1, y));
    const [lx, hx] = [plotX(view, clampX(Math.min(x0, x1))), plotX(view, clampX(Math.max(x0, x1)))];
    const [ly, hy] = [plotY(view, clampY(Math.min(y0, y1))), plotY(view, clampY(Math.max(y0, y1)))];
    const out = [];
    const len = list ? list.length : n;
    for (let t = 0; t < len; t++) {
      const q = list ? list[t] : t;
      if (px[q] >= lx && px[q] <= hx && py[q] >= ly && py[q] <= hy) out.push(q);
    }
    return out;
  }

  function step(dir) {
    const s = store.get();
    const list = ctx.active(s);
    let nextIdx;
    if (!list) nextIdx = Math.max(0, Math.min(n - 1, s.sample + dir));
    else if (list.length) {
      let lo = 0; // binary search in the ascending list
      let hi = list.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid] < s.sample) lo = mid + 1; else hi = mid; }
      const at = lo < list.length && list[lo] === s.sample;
      // ▶: the first active sample after this one, ◀: the last before it (never a jump
      // the other way; at either end the button is disabled)
      const pos = dir > 0 ? (at ? lo + 1 : lo) : lo - 1;
      if (pos < 0 || pos >= list.length) return;
      nextIdx = list[pos];
    } else return;
    store.set({ sample: nextIdx });
  }

  /** A new zoom/pan view: kept for redraws, painted in the next frame. */
  function setView(v) {
    view = v;
    keep.view = v;
    keep.width = W;
    cancelAnimationFrame(paintFrame);
    paintFrame = requestAnimationFrame(() => { drawBase(); drawOverlay(); });
  }

  const onDown = (ev) => {
    const [x, y] = point(ev);
    const pan = ev.shiftKey || ev.button === 1 || ui.panMode();
    drag = { x0: x, y0: y, x1: x, y1: y, moved: false, pan, v0: view };
    overCanvas.setPointerCapture?.(ev.pointerId);
  };
  const hover = (x, y) => {
    const q = nearest(x, y);
    if (q < 0) { tip.style.display = "none"; return; }
    const s = store.get();
    tip.textContent = `${ctx.sampleName(q)} · ${ctx.quantity(s.cls)} ${fmt(ctx.predictions(s.cls)[q])} · local ${pctOr(ctx.local(s.cls)[q], "none (no behaviour)")}${pm(ctx.localSe(q), false, "pct")}`;
    tip.style.display = "block";
    const width = tip.offsetWidth; // keep it inside the panel: right of the point, else left
    const sx = screenX(view, px[q]);
    tip.style.left = `${sx + 10 + width <= W ? sx + 10 : Math.max(0, sx - 10 - width)}px`;
    tip.style.top = `${Math.max(0, screenY(view, py[q]) - 28)}px`;
  };
  const onMove = (ev) => {
    const [x, y] = point(ev);
    if (!drag) {
      cancelAnimationFrame(hoverFrame);
      hoverFrame = requestAnimationFrame(() => hover(x, y));
      return;
    }
    tip.style.display = "none";
    drag.x1 = x; drag.y1 = y;
    if (Math.abs(x - drag.x0) + Math.abs(y - drag.y0) > 5) drag.moved = true;
    if (drag.moved && drag.pan) setView(panBy(drag.v0, x - drag.x0, y - drag.y0, area));
    else if (drag.moved) drawOverlay();
  };
  const onUp = (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.moved && d.pan) return;
    if (d.moved) {
      const picked = brush(d.x0, d.y0, d.x1, d.y1);
      const patch = { indices: picked };
      if (picked.length && !picked.includes(store.get().sample)) patch.sample = picked[0];
      store.set(patch);
      drawOverlay();
    } else {
      const [x, y] = point(ev);
      const q = nearest(x, y);
      if (q >= 0) store.set({ sample: q });
    }
  };
  const zoomBy = (f, x = (area.x0 + area.x1) / 2, y = (area.y0 + area.y1) / 2) => setView(zoomAt(view, x, y, f, f, area));
  overCanvas.addEventListener("pointerdown", onDown);
  overCanvas.addEventListener("pointermove", onMove);
  overCanvas.addEventListener("pointerup", onUp);
  overCanvas.addEventListener("pointerleave", () => { cancelAnimationFrame(hoverFrame); tip.style.display = "none"; });
  overCanvas.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const [x, y] = point(ev);
    zoomBy(Math.exp(-Math.max(-120, Math.min(120, ev.deltaY)) * 0.004), x, y);
  }, { passive: false });
  overCanvas.addEventListener("dblclick", () => setView(IDENTITY));
  overCanvas.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight" || ev.key === "ArrowUp") step(1);
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") step(-1);
    else if (ev.key === "Escape") store.set({ indices: [] });
    else if (ev.key === "+" || ev.key === "=") zoomBy(1.5);
    else if (ev.key === "-") zoomBy(1 / 1.5);
    else if (ev.key === "0") setView(IDENTITY);
    else return;
    ev.preventDefault();
  });
  ui.prev.addEventListener("click", () => step(-1));
  ui.next.addEventListener("click", () => step(1));
  ui.clear.addEventListener("click", () => store.set({ indices: [] }));
  ui.reset.addEventListener("click", () => setView(IDENTITY));
  ui.axis.addEventListener("change", () => {
    mode = ui.axis.value;
    keep.mode = mode;
    view = IDENTITY; // a new axis: the whole of it
    keep.view = view;
    layout();
    drawBase();
    drawOverlay();
  });
  const apply = () => {
    const a = ui.input.value.trim() === "" ? -1 : ctx.positionOf(Math.round(Number(ui.input.value)));
    if (a >= 0) store.set({ sample: a }, "input");
    showNumber(true); // an unknown number falls back to the selected one
  };
  ui.input.addEventListener("change", apply);
  ui.input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { apply(); ev.preventDefault(); }
    else if (ev.key === "Escape") { showNumber(true); ui.input.blur(); }
  });

  layout();
  drawBase();
  drawOverlay();
  const unsub = store.subscribe((s, changed, source) => {
    if (changed.includes("sample") && source !== "input") showNumber(true); // never stale, even while focused
    if (changed.includes("cls")) layout();
    if (changed.some((c) => ["cls", "indices", "filterClass", "filterLabel"].includes(c))) drawBase();
    ui.sync(s, changed);
    if (changed.some((c) => ["cls", "sample", "indices", "filterClass", "filterLabel"].includes(c))) drawOverlay();
  });
  return { destroy: () => { unsub(); cancelAnimationFrame(hoverFrame); cancelAnimationFrame(paintFrame); box.remove(); } };
}
