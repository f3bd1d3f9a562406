"""A kernel-less HTML page that mounts the explorer's bundle with an in-page model
(for the browser benchmark and quick screenshots; not the notebook path)."""

from __future__ import annotations

import base64
import json

from intershap_widget.views.widget import InterSHAPWidget

__all__ = ["standalone_html"]

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>InterSHAP explorer</title>
<style>body{{margin:0;padding:12px;background:{bg};color:{fg}}}
:root{{--jp-layout-color0:{bg};--jp-layout-color1:{bg1};--jp-layout-color2:{bg2};--jp-ui-font-color1:{fg};
--jp-ui-font-color2:{fg2};--jp-border-color1:{b1};--jp-border-color2:{b2}}}</style></head>
<body data-jp-theme-light="{light}"><div id="out"></div>
<script type="module">
const STATE = {state};
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const values = {{}};
for (const [k, v] of Object.entries(STATE)) {{
  values[k] = v && v.__buf__ !== undefined ? {{ ...v.meta, data: new DataView(b64(v.__buf__).buffer) }} : v;
}}
const listeners = {{}};
const model = {{
  get: (k) => values[k],
  set: (k, v) => {{ values[k] = v; (listeners["change:" + k] || []).forEach((f) => f()); }},
  on: (e, f) => (listeners[e] ||= []).push(f),
  off: (e, f) => {{ listeners[e] = (listeners[e] || []).filter((g) => g !== f); }},
  save_changes: () => {{ window.__saves = (window.__saves || 0) + 1; }},
}};
window.__model = model;
const url = URL.createObjectURL(new Blob([{esm}], {{ type: "text/javascript" }}));
const t0 = performance.now();
const mod = await import(url);
const el = document.getElementById("out");
window.__cleanup = mod.default.render({{ model, el }});
window.__renderSync = performance.now() - t0;
requestAnimationFrame(() => {{ window.__firstRender = performance.now() - t0; window.__ready = true; }});
</script></body></html>"""

_THEMES = {
    True: dict(bg="#ffffff", bg1="#ffffff", bg2="#eeeeee", fg="rgba(0,0,0,0.87)", fg2="rgba(0,0,0,0.54)", b1="#bdbdbd", b2="#e0e0e0"),
    False: dict(bg="#111111", bg1="#212121", bg2="#424242", fg="rgba(255,255,255,1)", fg2="rgba(255,255,255,0.7)", b1="#616161", b2="#424242"),
}


def standalone_html(widget: InterSHAPWidget, light: bool = True) -> str:
    """An HTML page rendering ``widget`` without a kernel (model state inlined)."""
    state = {}
    for name in widget.keys:
        if name in ("_esm", "_css", "layout"):
            continue
        value = widget.trait_metadata(name, "to_json")
        v = getattr(widget, name)
        if value is not None:
            enc = value(v, widget)
            if enc is not None:
                buf = base64.b64encode(bytes(enc["data"])).decode("ascii")
                state[name] = {"__buf__": buf, "meta": {"dtype": enc["dtype"], "shape": enc["shape"]}}
                continue
        try:
            state[name] = json.loads(json.dumps(list(v) if isinstance(v, tuple) else v))
        except TypeError:
            continue
    return _PAGE.format(state=json.dumps(state), esm=json.dumps(widget._esm), light="true" if light else "false",
                        **_THEMES[light])
