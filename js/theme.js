// Styling from JupyterLab's CSS variables (light and dark), with fallbacks for pages
// without JupyterLab (exported HTML reads `data-jp-theme-light` on <body>).

export const CSS = `
.isw-root{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:var(--jp-ui-font-size1,13px);
 color:var(--jp-ui-font-color1,#1f1f1f);background:var(--jp-layout-color0,#fff);padding:8px;box-sizing:border-box;
 display:flex;flex-direction:column;gap:10px;max-width:100%;contain:layout style}
.isw-root.isw-dark{color:var(--jp-ui-font-color1,#e6e6e6);background:var(--jp-layout-color0,#111)}
.isw-row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.isw-col{display:flex;flex-direction:column;gap:14px}
.isw-grid{display:grid;gap:10px;align-items:start;justify-content:start;grid-template-columns:minmax(0,max-content)}
.isw-area{min-width:0;max-width:100%}
.isw-area:empty{display:none}
.isw-area>.isw-panel{width:max-content;max-width:100%}
.isw-area-heat{grid-area:heat}.isw-area-bars{grid-area:bars}.isw-area-scatter{grid-area:scatter}
.isw-area-pair{grid-area:pair}.isw-area-orders{grid-area:orders}.isw-area-drill{grid-area:drill}
.isw-root:not([data-layout]) .isw-grid>*{grid-area:auto}
.isw-root[data-layout=wide] .isw-grid{grid-template-columns:repeat(4,max-content);grid-template-rows:auto 1fr;
 grid-template-areas:"heat bars scatter pair" "heat bars scatter orders" "drill drill drill drill"}
.isw-root[data-layout=medium] .isw-grid{grid-template-columns:repeat(3,max-content);
 grid-template-areas:"heat scatter pair" "bars bars orders" "drill drill drill"}
.isw-root[data-layout=tiered] .isw-grid{grid-template-columns:max-content max-content;grid-template-rows:auto auto 1fr;
 grid-template-areas:"heat scatter" "bars pair" "bars orders" "drill drill"}
.isw-root[data-layout=tiered] .isw-area-heat>.isw-panel{width:100%}
.isw-root[data-layout=narrow] .isw-grid{grid-template-columns:max-content minmax(0,1fr);
 grid-template-areas:"heat scatter" "bars bars" "pair orders" "drill drill"}
.isw-root[data-layout=single] .isw-grid{grid-template-columns:max-content minmax(0,1fr);
 grid-template-areas:"heat heat" "scatter scatter" "bars bars" "pair orders" "drill drill"}
.isw-bars-row{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:flex-start}
.isw-root[data-layout=wide] .isw-bars-row,.isw-measure .isw-bars-row{flex-direction:column}
.isw-measure .isw-grid{display:flex;flex-wrap:wrap;align-items:flex-start}
.isw-measure .isw-area{flex:none;max-width:none}
.isw-top{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;justify-content:space-between}
.isw-what{margin:2px 0 0 0;line-height:1.3}
.isw-help{border:1px solid var(--jp-border-color1,#bbb);border-radius:4px;padding:8px 12px;background:var(--jp-layout-color1,#fafafa);max-width:760px;line-height:1.4}
.isw-help[hidden]{display:none}
.isw-help dl{margin:4px 0;display:grid;grid-template-columns:max-content 1fr;gap:2px 10px}
.isw-help dt{font-weight:600;white-space:nowrap}
.isw-help dd{margin:0}
.isw-help ul{margin:4px 0;padding-left:18px}
.isw-root select{max-width:16em;text-overflow:ellipsis}
.isw-panel{max-width:100%;box-sizing:border-box}
.isw-panel svg{max-width:none}
.isw-otable{border-collapse:collapse;margin:2px 0 4px 0}
.isw-otable th,.isw-otable td{padding:1px 2px;text-align:right;font-weight:normal;white-space:nowrap}
.isw-otable thead th{color:var(--jp-ui-font-color2,#666);font-size:var(--jp-ui-font-size0,11px)}
.isw-otable tbody th{text-align:left}
.isw-num{font-variant-numeric:tabular-nums}
.isw-se{font-size:var(--jp-ui-font-size0,11px);color:var(--jp-ui-font-color2,#666)}
.isw-panel{contain:layout paint;border:1px solid var(--jp-border-color2,#ddd);border-radius:4px;padding:6px 8px;background:var(--jp-layout-color1,transparent)}
.isw-title{font-weight:600;font-size:var(--jp-ui-font-size1,13px);margin:0 0 4px 0}
.isw-note{color:var(--jp-ui-font-color2,#666);font-size:var(--jp-ui-font-size0,11px)}
.isw-root.isw-dark .isw-note{color:var(--jp-ui-font-color2,#aaa)}
.isw-summary{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center}
.isw-summary b{font-variant-numeric:tabular-nums}
.isw-root svg text{font-family:inherit}
.isw-root svg text:not([fill]){fill:currentColor}
.isw-root svg .isw-muted{fill:var(--jp-ui-font-color2,#777)}
.isw-axis line,.isw-axis path{stroke:var(--jp-border-color1,#999)}
.isw-cell{cursor:pointer}
.isw-cell rect.isw-fill{stroke:var(--jp-border-color2,#e0e0e0);stroke-width:1}
.isw-cell:focus{outline:none}
.isw-cell:focus rect.isw-fill{stroke:var(--jp-brand-color1,#1976d2);stroke-width:3}
.isw-cell.isw-picked rect.isw-fill{stroke:var(--jp-warn-color0,#e65100);stroke-width:3}
.isw-diag rect.isw-fill{stroke-dasharray:4 2;stroke:var(--jp-ui-font-color2,#666);stroke-width:1.5}
.isw-root button,.isw-root select,.isw-root input{font:inherit;color:var(--jp-ui-font-color1,inherit);
 background:var(--jp-layout-color2,#f3f3f3);border:1px solid var(--jp-border-color1,#bbb);border-radius:3px;padding:1px 6px}
.isw-root input[type=number]{width:5.5em}
.isw-selector .isw-controls{margin:2px 0}
.isw-count{margin-left:auto}
.isw-root button:focus-visible,.isw-root select:focus-visible,.isw-root input:focus-visible,.isw-root canvas:focus-visible{
 outline:2px solid var(--jp-brand-color1,#1976d2);outline-offset:1px}
.isw-controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:4px 0}
.isw-canvas-wrap{position:relative}
.isw-canvas-wrap canvas{position:absolute;left:0;top:0}
.isw-error{padding:12px;border:1px solid var(--jp-error-color1,#d32f2f);color:var(--jp-error-color1,#d32f2f);border-radius:4px}
.isw-band{fill:currentColor;fill-opacity:0}
.isw-hl .isw-band{fill:var(--jp-brand-color1,#1976d2);fill-opacity:.16}
.isw-term{cursor:pointer;outline:none}
.isw-term:focus-visible .isw-band{stroke:var(--jp-brand-color1,#1976d2);stroke-width:2}
rect.isw-cut{opacity:.75}
.isw-root button[aria-pressed=true]{background:var(--jp-brand-color1,#1976d2);color:#fff}
.isw-root button:disabled,.isw-root select:disabled{opacity:.45;cursor:default}
.isw-tip{display:none;position:absolute;pointer-events:none;white-space:nowrap;font-size:var(--jp-ui-font-size0,11px);
 padding:2px 6px;border-radius:3px;background:var(--jp-layout-color0,#fff);color:var(--jp-ui-font-color1,#222);
 border:1px solid var(--jp-border-color1,#bbb);box-shadow:0 1px 3px rgba(0,0,0,.25);z-index:2}
.isw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

/** Whether the page shows a dark theme (JupyterLab's attribute, else the background). */
export function isDark(el) {
  const body = el.ownerDocument.body;
  const flag = body?.getAttribute("data-jp-theme-light");
  if (flag === "false") return true;
  if (flag === "true") return false;
  const bg = getComputedStyle(el).getPropertyValue("--jp-layout-color0").trim();
  const m = bg.match(/^#([0-9a-f]{6})$/i);
  if (m) {
    const n = parseInt(m[1], 16);
    return 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) < 128;
  }
  return false;
}

/** A resolved CSS colour of a variable (for canvas drawing). */
export function cssColor(el, name, fallback) {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}

/** Add the stylesheet once per document. */
export function injectStyle(doc) {
  if (doc.getElementById("isw-style")) return;
  const s = doc.createElement("style");
  s.id = "isw-style";
  s.textContent = CSS;
  doc.head.appendChild(s);
}
