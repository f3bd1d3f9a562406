"""Screenshots of the explorer in JupyterLab's light and dark themes -> docs/img/.

Runs a toy three-modality classifier through ``isw.explain`` in a real headless
JupyterLab (the browser tests' server helper), picks a pair and a sample from Python,
and saves palette-quantised PNGs: ``explorer-{light,dark}.png`` on a wide page (1,800
px), ``explorer-medium-{light,dark}.png`` at 1,280 px and ``explorer-narrow-{light,dark}.png``
on a narrow one (800 px).

    PYTHONPATH=. python docs/make_screenshots.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from PIL import Image  # noqa: E402

from _lab import notebook_session, run_python  # noqa: E402

CODE = '''
import numpy as np
import intershap_widget as isw
from intershap_widget.views.widget import InterSHAPWidget

rng = np.random.default_rng(0)
N = 2000
text, image, tab = rng.normal(size=(N, 4)), rng.normal(size=(N, 4)), rng.normal(size=(N, 2))

def model(xs):
    t, i, b = xs
    logits = np.stack([t[:, 0] + 0.5 * i[:, 1],          # "sports": mostly main effects
                       2.0 * t[:, 1] * i[:, 0],           # "music": a text x image interaction
                       b[:, 0] - 0.3 * t[:, 2] * b[:, 1]], axis=1)  # "news": tabular + a little synergy
    return logits

labels = np.array(["sports", "music", "news"])[np.argmax(model([text, image, tab]) + rng.normal(size=(N, 3)), axis=1)]
res = isw.explain(model, [text, image, tab], target="all", output="logits", modality_names=["text", "image", "tabular"],
                  n_background=50, labels=labels, class_names=["sports", "music", "news"], progress=False)
w = InterSHAPWidget(res)
w
'''


def shrink(png: bytes, out: Path) -> None:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, optimize=True)


def main() -> None:
    out_dir = ROOT / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    def ready(page):
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.locator(".isw-root").wait_for(timeout=90_000)

    with tempfile.TemporaryDirectory() as tmp:
        for s in notebook_session(Path(tmp), "shots.ipynb", [CODE], ready, viewport_height=1300):
            page, root = s["page"], s["page"].locator(".isw-root")
            run_python(s["client"], "w.selected_pair = (0, 1); "
                                    "w.selected_sample = int(np.nanargmax(res.intershap_local))")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:hide-cell-code')")
            for width, name in ((1800, "explorer"), (1280, "explorer-medium"), (800, "explorer-narrow")):
                page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 2000})
                page.wait_for_timeout(1500)  # the explorer lays itself out again for the new width
                for theme, suffix in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
                    page.evaluate("(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
                    sel = ".isw-root.isw-dark" if suffix == "dark" else ".isw-root:not(.isw-dark)"
                    page.locator(sel).wait_for(timeout=20_000)
                    page.wait_for_timeout(800)
                    shrink(page.locator(".isw-root").screenshot(), out_dir / f"{name}-{suffix}.png")
    for p in sorted(out_dir.glob("explorer-*.png")):
        print(p.relative_to(ROOT), f"{p.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
