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


from _lab import notebook_session  # noqa: E402
from make_screenshots import shrink  # noqa: E402

CODE = '''
from intershap_widget import ShapleyGameWidget
g = ShapleyGameWidget("and", ["A", "B", "C"], selected_pair=(0, 1))
g
'''


def main() -> None:
    out_dir = ROOT / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    def ready(page):
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.locator(".isw-game").wait_for(timeout=90_000)

    with tempfile.TemporaryDirectory() as tmp:
        for s in notebook_session(Path(tmp), "game.ipynb", [CODE], ready, viewport_height=1100, viewport_width=1180):
            page = s["page"]
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:hide-cell-code')")
            for theme, name in [("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")]:
                page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
                page.wait_for_timeout(1500)
                root = page.locator(".isw-game")
                root.locator(".isw-terms tbody tr").nth(1).hover()
                page.wait_for_timeout(300)
                shrink(root.screenshot(), out_dir / f"teaching-{name}.png")
    for p in sorted(out_dir.glob("teaching-*.png")):
        print(p.relative_to(ROOT), f"{p.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
