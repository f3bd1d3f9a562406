"""Screenshots of the explorer in JupyterLab's light and dark themes -> docs/img/.

Runs a toy three-modality classifier through ``isw.explain`` in a real headless
JupyterLab (the browser tests' server helper), picks a pair and a sample from Python,
and saves palette-quantised PNGs.

    PYTHONPATH=. python docs/make_screenshots.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from _lab import CHROMIUM, CHROMIUM_ARGS, Lab, run_python  # noqa: E402

CODE = '''
import numpy as np
import intershap_widget as isw
from intershap_widget.widget import InterSHAPWidget

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
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(CODE.strip())]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, Path(tmp) / "shots.ipynb")
        with Lab(Path(tmp), pythonpath=str(ROOT)) as lab, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1300})
            page.goto(lab.url("shots.ipynb"))
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            kernel = lab.wait_kernel_ready()
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            root = page.locator(".isw-root")
            root.wait_for(timeout=90_000)
            client = lab.kernel_client(kernel)
            run_python(client, "w.selected_class = 1; w.selected_pair = (0, 1); "
                               "w.selected_sample = int(np.nanargmax(res.for_class(1).intershap_local))")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:hide-cell-code')")
            page.wait_for_timeout(500)
            shrink(root.screenshot(), out_dir / "explorer-light.png")
            page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
            page.locator(".isw-root.isw-dark").wait_for(timeout=20_000)
            page.wait_for_timeout(800)
            shrink(page.locator(".isw-root").screenshot(), out_dir / "explorer-dark.png")
            client.stop_channels()
            browser.close()
    for p in sorted(out_dir.glob("explorer-*.png")):
        print(p.relative_to(ROOT), f"{p.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
