// Sample selector: every sample's local InterSHAP against its prediction on a canvas
// (smooth for N = 100,000). Click selects a sample, drag brushes a subset, arrows or
// prev/next step through the active samples, a number box jumps to an index, and
// the selects filter by predicted class and by label.

import { html } from "./dom.js";
import { linear, extent, ticks, fmt, pctOr, pm, fmtInt } from "./scales.js";
import { WHAT } from "./help.js";
import { density } from "./density.js";

const W = 330;

const H = 270;
const PAD = { l: 46, r: 10, t: 10, b: 34 };

/** @param {HTMLElement} parent @param {any} ctx */
export function createSelector(parent, ctx) {
  const { store, n } = ctx;
  const box = html("div", { class: "isw-panel isw-selector", style: `width:${W + 18}px` }, parent);
  html("div", { class: "isw-title", text: "Samples: local InterSHAP vs prediction" }, box);
  html("div", { class: "isw-note isw-what", text: WHAT.selector }, box);
  const controls = html("div", { class: "isw-controls" }, box);
  const prev = html("button", { type: "button", "aria-label": "previous sample", title: "previous active sample", text: "◀" }, controls);
  // JupyterLab's notebook shortcuts would take Enter and the arrows: suppress them here
  const range = ctx.renumbered ? {} : { min: 0, max: n - 1 };
  const input = html("input", { type: "number", ...range, step: 1, "aria-label": ctx.renumbered ? "sample number (original index)" : "sample number",
    title: "type a sample number and press Enter", "data-lm-suppress-shortcuts": "true" }, controls);
  const next = html("button", { type: "button", "aria-label": "next sample", title: "next active sample", text: "▶" }, controls);
  const selects = [];
  // "predicted as", not "predicted class": the class menu's "predicted class" is another thing
  if (ctx.pclassNames.length) selects.push(["filterClass", "model's prediction", "predicted as", "any prediction", ctx.pclassNames]);
  if (ctx.labelNames.length) selects.push(["filterLabel", "label", "label", "any label", ctx.labelNames]);
  const selectEls = {};
  for (const [key, what, prefix, any, opts] of selects) {
    const sel = html("select", { "aria-label": `filter by ${what}`, "data-lm-suppress-shortcuts": "true" }, controls);
    html("option", { value: -1, text: any }, sel);
    opts.forEach((o, q) => html("option", { value: q, text: `${prefix}: ${o}`, title: o }, sel));
    sel.value = String(store.get()[key]);
    sel.addEventListener("change", () => store.set({ [key]: Number(sel.value), indices: [] }));
    selectEls[key] = sel;
  }
  const clearBtn = html("button", { type: "button", text: "clear brush", "aria-label": "clear the brushed subset" }, controls);
  const count = html("span", { class: "isw-note", "aria-live": "polite" }, controls);

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
    "aria-label": `scatter of ${n} samples: click selects a sample, drag brushes a subset, arrow keys step, Escape clears the brush`,
  });
  const mark = html("div", { class: "isw-sr isw-selected-mark", role: "img" }, wrap);
  const tip = html("div", { class: "isw-tip", "aria-hidden": "true" }, wrap);
  let hoverFrame = 0;
  html("div", { class: "isw-note", text: "Click: select a sample · drag: brush a subset · ←/→: previous/next" }, box);

  let xs = linear([0, 1], [PAD.l, W - PAD.r]);
  let ys = linear([0, 1], [H - PAD.b, PAD.t]);
  let px = null;
  let py = null;
  let drag = null;

  /** Pixel positions of every sample for class `c` (kept per class: a switch back is free). */
  function positions(c) {
    return ctx.memo(`scatter${c}`, () => {
      const pred = ctx.predictions(c);
      const loc = ctx.local(c);
      const sx = linear(extent(pred), [PAD.l + 4, W - PAD.r - 4]);
      const sy = linear([0, 1], [H - PAD.b - 4, PAD.t + 4]);
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let a = 0; a < n; a++) {
        x[a] = sx(pred[a]);
        y[a] = Number.isFinite(loc[a]) ? sy(loc[a]) : NaN;
      }
      return { sx, sy, x, y };
    });
  }
  ctx.warmHooks.push(positions);

  function layout() {
    ({ sx: xs, sy: ys, x: px, y: py } = positions(store.get().cls));
    // the mapping, for tests and assistive tooling: pixels of [min, max] prediction and of 0 / 1
    overCanvas.dataset.xPixels = `${xs.range[0]},${xs.range[1]}`;
    overCanvas.dataset.yPixels = `${ys.range[0]},${ys.range[1]}`;
  }

  // The base layer of "all samples, nothing brushed or filtered" is kept per class (and
  // drawn ahead for the other classes when the page is idle): a class switch then copies
  // it instead of redrawing 100,000 points.
  const baseCache = new Map();

  function drawBase() {
    const s = store.get();
    const filt = ctx.filtered(s);
    const brushed = s.indices.length ? s.indices : null;
    const plain = !filt && !brushed;
    if (plain && baseCache.has(s.cls)) {
      bg.save();
      bg.setTransform(1, 0, 0, 1, 0, 0);
      bg.clearRect(0, 0, baseCanvas.width, baseCanvas.height);
      bg.drawImage(baseCache.get(s.cls), 0, 0);
      bg.restore();
    } else {
      paintBase(filt, brushed);
      if (plain) baseCache.set(s.cls, snapshot(baseCanvas));
    }
    const active = ctx.active(s);
    count.textContent = `${fmtInt(active ? active.length : n)} of ${fmtInt(n)} samples active`;
    clearBtn.disabled = !brushed;
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
    if (c === s.cls || baseCache.has(c) || n <= 5000) return;
    const saved = [bg, px, py, xs, ys];
    const off = document.createElement("canvas");
    off.width = baseCanvas.width;
    off.height = baseCanvas.height;
    bg = off.getContext("2d");
    bg.scale(dpr, dpr);
    ({ sx: xs, sy: ys, x: px, y: py } = positions(c));
    try { paintBase(null, null, c); baseCache.set(c, off); } finally { [bg, px, py, xs, ys] = saved; }
  }
  ctx.warmHooks.push(prerender);

  function paintBase(filt, brushed, cls = store.get().cls) {
    bg.clearRect(0, 0, W, H);
    bg.font = "10px sans-serif";
    bg.fillStyle = ctx.colours.text;
    bg.strokeStyle = ctx.colours.grid;
    bg.lineWidth = 1;
    bg.beginPath();
    bg.moveTo(PAD.l, PAD.t); bg.lineTo(PAD.l, H - PAD.b); bg.lineTo(W - PAD.r, H - PAD.b);
    bg.stroke();
    bg.textAlign = "right";
    for (const tv of ticks(0, 1, 4)) { bg.fillText(`${Math.round(tv * 100)}%`, PAD.l - 4, ys(tv) + 3); }
    bg.textAlign = "center";
    for (const tv of ticks(xs.domain[0], xs.domain[1], 5)) {
      const x = xs(tv);
      if (x >= PAD.l && x <= W - PAD.r) bg.fillText(fmt(tv, 3), x, H - PAD.b + 12);
    }
    bg.fillText(`prediction v(N): ${ctx.quantity(cls)}`, (PAD.l + W - PAD.r) / 2, H - 6);
    bg.save();
    bg.translate(11, (PAD.t + H - PAD.b) / 2);
    bg.rotate(-Math.PI / 2);
    bg.fillText("local InterSHAP", 0, 0);
    bg.restore();
    const size = n > 20000 ? 1.5 : n > 2000 ? 2.5 : 4;
    const half = size / 2;
    const alpha = n > 20000 ? 0.35 : n > 2000 ? 0.55 : 0.8;
    const dots = n > 5000 ? (list, colour) => density(bg, px, py, list, n, dpr, colour) : (list, colour, a) => {
      bg.globalAlpha = a;
      bg.fillStyle = colour;
      const len = list ? list.length : n;
      for (let t = 0; t < len; t++) {
        const q = list ? list[t] : t;
        const y = py[q];
        if (y === y) bg.fillRect(px[q] - half, y - half, size, size);
      }
    };
    if (filt || brushed) dots(null, ctx.colours.faint, 0.25);
    if (!brushed) dots(filt, ctx.colours.set, alpha);
    else dots(brushed, ctx.colours.brush, alpha);
    bg.globalAlpha = 1;
  }

  /** Show the selected sample's number in the box (also while it has focus: `force`). */
  function showNumber(force) {
    if (force || document.activeElement !== input) input.value = String(ctx.sampleNumber(store.get().sample));
  }

  function drawOverlay() {
    const s = store.get();
    og.clearRect(0, 0, W, H);
    if (drag && drag.moved) {
      og.fillStyle = ctx.colours.brush;
      og.globalAlpha = 0.15;
      og.fillRect(Math.min(drag.x0, drag.x1), Math.min(drag.y0, drag.y1), Math.abs(drag.x1 - drag.x0), Math.abs(drag.y1 - drag.y0));
      og.globalAlpha = 1;
      og.strokeStyle = ctx.colours.brush;
      og.strokeRect(Math.min(drag.x0, drag.x1), Math.min(drag.y0, drag.y1), Math.abs(drag.x1 - drag.x0), Math.abs(drag.y1 - drag.y0));
    }
    const a = s.sample;
    const x = px[a];
    const y = Number.isFinite(py[a]) ? py[a] : H - PAD.b;
    og.strokeStyle = ctx.colours.sample;
    og.lineWidth = 2.5;
    og.beginPath();
    og.arc(x, y, 6, 0, 2 * Math.PI);
    og.stroke();
    const se = ctx.localSe(a);
    if (Number.isFinite(se) && Number.isFinite(py[a])) { // error bar of the sampled local InterSHAP
      const y0 = ys(ctx.local(s.cls)[a] - se);
      const y1 = ys(ctx.local(s.cls)[a] + se);
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
    mark.setAttribute("aria-label", `selected sample ${ctx.sampleName(a)}: prediction ${fmt(pred)}, local InterSHAP ${pctOr(loc, "none (no behaviour)")}${pm(se, false, "pct")}`);
    mark.setAttribute("data-sample", String(a));
    mark.setAttribute("style", `left:${x}px;top:${y}px`);
    showNumber(false);
    const [before, after] = neighbours(s);
    prev.disabled = !before;
    next.disabled = !after;
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

  function nearest(x, y) {
    const s = store.get();
    const list = ctx.filtered(s);
    let best = -1;
    let bd = 14 * 14;
    const len = list ? list.length : n;
    for (let t = 0; t < len; t++) {
      const q = list ? list[t] : t;
      const dx = px[q] - x;
      const dy = py[q] - y;
      const d = dx * dx + dy * dy;
      if (d < bd) { bd = d; best = q; }
    }
    return best;
  }

  function brush(x0, y0, x1, y1) {
    const s = store.get();
    const list = ctx.filtered(s);
    const [lx, hx] = [Math.min(x0, x1), Math.max(x0, x1)];
    const [ly, hy] = [Math.min(y0, y1), Math.max(y0, y1)];
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
      // binary search in the ascending list
      let lo = 0;
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

  const onDown = (ev) => {
    const [x, y] = point(ev);
    drag = { x0: x, y0: y, x1: x, y1: y, moved: false };
    overCanvas.setPointerCapture?.(ev.pointerId);
  };
  const hover = (x, y) => {
    const q = nearest(x, y);
    if (q < 0) { tip.style.display = "none"; return; }
    const s = store.get();
    tip.textContent = `${ctx.sampleName(q)} · prediction ${fmt(ctx.predictions(s.cls)[q])} · local ${pctOr(ctx.local(s.cls)[q], "none (no behaviour)")}${pm(ctx.localSe(q), false, "pct")}`;
    tip.style.display = "block";
    const width = tip.offsetWidth;  // keep it inside the panel: right of the point, else left
    tip.style.left = `${px[q] + 10 + width <= W ? px[q] + 10 : Math.max(0, px[q] - 10 - width)}px`;
    tip.style.top = `${Math.max(0, py[q] - 28)}px`;
  };
  const onMove = (ev) => {
    if (!drag) {
      const [x, y] = point(ev);
      cancelAnimationFrame(hoverFrame);
      hoverFrame = requestAnimationFrame(() => hover(x, y));
      return;
    }
    tip.style.display = "none";
    const [x, y] = point(ev);
    drag.x1 = x; drag.y1 = y;
    if (Math.abs(x - drag.x0) + Math.abs(y - drag.y0) > 5) drag.moved = true;
    if (drag.moved) drawOverlay();
  };
  const onUp = (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
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
  overCanvas.addEventListener("pointerdown", onDown);
  overCanvas.addEventListener("pointermove", onMove);
  overCanvas.addEventListener("pointerup", onUp);
  overCanvas.addEventListener("pointerleave", () => { cancelAnimationFrame(hoverFrame); tip.style.display = "none"; });
  overCanvas.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight" || ev.key === "ArrowUp") { step(1); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") { step(-1); ev.preventDefault(); }
    else if (ev.key === "Escape") store.set({ indices: [] });
  });
  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  clearBtn.addEventListener("click", () => store.set({ indices: [] }));
  const apply = () => {
    const a = input.value.trim() === "" ? -1 : ctx.positionOf(Math.round(Number(input.value)));
    if (a >= 0) store.set({ sample: a }, "input");
    showNumber(true); // an unknown number falls back to the selected one
  };
  input.addEventListener("change", apply);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { apply(); ev.preventDefault(); }
    else if (ev.key === "Escape") { showNumber(true); input.blur(); }
  });

  layout();
  drawBase();
  drawOverlay();
  const unsub = store.subscribe((s, changed, source) => {
    if (changed.includes("sample") && source !== "input") showNumber(true); // never stale, even while focused
    if (changed.includes("cls")) layout();
    if (changed.some((c) => ["cls", "indices", "filterClass", "filterLabel"].includes(c))) drawBase();
    for (const [key, sel] of Object.entries(selectEls)) if (changed.includes(key)) sel.value = String(s[key]);
    if (changed.some((c) => ["cls", "sample", "indices", "filterClass", "filterLabel"].includes(c))) drawOverlay();
  });
  return { destroy: () => { unsub(); cancelAnimationFrame(hoverFrame); box.remove(); } };
}
