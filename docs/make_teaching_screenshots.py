"""Screenshots of the teaching widget (ShapleyGameWidget) in JupyterLab's light and dark
themes -> docs/img/teaching-{light,dark}.png.

A 3-player AND game with the pair (A, B) selected and one row of its terms table
hovered, so the linked coalitions light up. Same server helper as the browser tests.

    PYTHONPATH=. python docs/make_teaching_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "docs"))

import nbformat  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from _lab import CHROMIUM, CHROMIUM_ARGS, Lab  # noqa: E402
from make_screenshots import shrink  # noqa: E402

CODE = '''
from intershap_widget import ShapleyGameWidget
g = ShapleyGameWidget("and", ["A", "B", "C"], selected_pair=(0, 1))
g
'''


def main() -> None:
    out_dir = ROOT / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(CODE.strip())]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, Path(tmp) / "game.ipynb")
        with Lab(Path(tmp), pythonpath=str(ROOT)) as lab, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1180, "height": 1100})
            page.goto(lab.url("game.ipynb"))
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            lab.wait_kernel_ready()
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            root = page.locator(".isw-game")
            root.wait_for(timeout=90_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:hide-cell-code')")
            for theme, name in [("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")]:
                page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
                page.wait_for_timeout(1500)
                root = page.locator(".isw-game")
                root.locator(".isw-terms tbody tr").nth(1).hover()
                page.wait_for_timeout(300)
                shrink(root.screenshot(), out_dir / f"teaching-{name}.png")
            browser.close()
    for p in sorted(out_dir.glob("teaching-*.png")):
        print(p.relative_to(ROOT), f"{p.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
