"""Screenshots to check that labels fit: the explorer with long and default modality
names at M = 2, 4 and 6, and the teaching widget with long player names, in JupyterLab's
light and dark themes -> build/labels/ (not committed; look at them).

    PYTHONPATH=. python docs/make_label_screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


from _lab import notebook_session  # noqa: E402

LONG = ["clinical notes", "chest x-ray image", "lab values", "vital signs time series",
        "genomics panel (whole exome)", "wearable accelerometer"]

CASES = {  # name: (M, modality names or None for the defaults)
    "long-m4": (4, LONG[:4]),
    "default-m4": (4, None),
    "long-m6": (6, LONG),
    "default-m6": (6, None),
    "long-m2": (2, LONG[3:5]),
}

SETUP = """
import numpy as np
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.widget import InterSHAPWidget
from intershap_widget import ShapleyGameWidget

def make(m, names, pair):
    rng = np.random.default_rng(m)
    res = InteractionResult(rng.normal(size=(60, 2**m)), modality_names=names)
    return InterSHAPWidget(res, selected_pair=pair)
"""


def cells() -> list[str]:
    out = [SETUP.strip()]
    for m, names in CASES.values():
        out.append(f"make({m}, {names!r}, (0, {m - 1}))")
    out.append('ShapleyGameWidget("xor", ["clinical notes", "chest x-ray image", "vital signs time series"], '
               "selected_pair=(0, 2))")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "labels")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    def ready(page):
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.locator(".isw-root").nth(len(CASES)).wait_for(timeout=90_000)

    with tempfile.TemporaryDirectory() as tmp:
        for s in notebook_session(Path(tmp), "labels.ipynb", cells(), ready, viewport_height=2800):
            page = s["page"]
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:hide-cell-code')")
            for theme in ("light", "dark"):
                if theme == "dark":
                    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
                    page.locator(".isw-root.isw-dark").first.wait_for(timeout=20_000)
                page.wait_for_timeout(800)
                roots = page.locator(".isw-root")
                for q, name in enumerate([*CASES, "game-long"]):
                    roots.nth(q).scroll_into_view_if_needed()
                    roots.nth(q).screenshot(path=str(args.out / f"{name}-{theme}.png"))
    for p in sorted(args.out.glob("*.png")):
        print(p)


if __name__ == "__main__":
    main()
