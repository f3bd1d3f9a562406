// Tiny DOM helpers (no framework).

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes, appended to `parent` when given. */
export function svg(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

/** Create an HTML element with attributes (`text` sets textContent), appended to `parent`. */
export function html(tag, attrs = {}, parent = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === "text") e.textContent = String(v);
    else e.setAttribute(k, String(v));
  }
  if (parent) parent.appendChild(e);
  return e;
}

/** Set attributes of an existing element. */
export function attr(e, attrs) {
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Remove all children. */
export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
}

/** Add an SVG <title> tooltip (replacing an existing one). */
export function tooltip(e, text) {
  let t = e.querySelector(":scope > title");
  if (!t) t = svg("title", {}, e);
  t.textContent = text;
}
