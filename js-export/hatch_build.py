"""Hatch build hook: fetch the offline-export scripts into intershap_widget/static_export/.

(Not under ``intershap_widget/static/``: hatch-jupyter-builder's npm_builder skips the
widget build when that folder already holds files newer than ``js/``.)

Runs ``node js-export/build.mjs`` (``npm pack`` of requirejs and the widget HTML
manager; skipped when the files are already there in the pinned versions) and adds the
git-ignored output to the wheel. ``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` skips every npm
step (the widget bundle and these scripts are then used as they are);
``INTERSHAP_SKIP_EXPORT_BUILD=1`` skips this one only.

Before anything runs, :func:`missing_tools` checks what the whole wheel build needs from
Node.js and npm (this hook's scripts and hatch-jupyter-builder's widget bundle from
``js/``) and stops with one message that says what to install, or what to set, instead
of the first generic npm error. When nothing needs building and npm is absent, it sets
``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` for the builder that runs next (which otherwise
refuses to start without npm even when its bundle is up to date).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # imported outside a build (tests of missing_tools): no hook class needed
    BuildHookInterface = object  # type: ignore[misc,assignment]

OUT = "intershap_widget/static_export"
BUNDLE = "intershap_widget/static"
BUNDLE_FILES = ("widget.js", "game.js")


def _newest(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and "node_modules" not in p.parts]
    return max((p.stat().st_mtime for p in files), default=0.0)


def bundle_is_stale(root: Path) -> bool:
    """Whether hatch-jupyter-builder will run npm for the widget bundle (missing or older than js/)."""
    files = [root / BUNDLE / f for f in BUNDLE_FILES]
    if not all(f.is_file() for f in files):
        return True
    return _newest(root / "js") > min(f.stat().st_mtime for f in files)


def export_is_stale(root: Path) -> bool:
    """Whether js-export/build.mjs has to fetch the export scripts (missing, or other versions)."""
    spec = json.loads((root / "js-export" / "package.json").read_text())["exportFiles"]
    manifest = root / OUT / "manifest.json"
    if not manifest.is_file():
        return True
    have = json.loads(manifest.read_text()).get("packages", {})
    return any(have.get(name, {}).get("version") != s["version"]
               or not all((root / OUT / dest).is_file() for dest in s["files"].values())
               for name, s in spec.items())


def missing_tools(root: Path, env: dict) -> str | None:
    """The one message for a wheel build that needs Node.js/npm where they are not on PATH
    (None when nothing is missing)."""
    skip_all = env.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1"
    needs = []
    if not skip_all and bundle_is_stale(root):
        needs.append(f"npm builds the widget's front end (js/ -> {BUNDLE}/{', '.join(BUNDLE_FILES)})")
    if not skip_all and not env.get("INTERSHAP_SKIP_EXPORT_BUILD") and export_is_stale(root):
        needs.append(f"node and npm fetch the offline-export scripts (js-export/ -> {OUT}/)")
    absent = [tool for tool in ("node", "npm") if shutil.which(tool, path=env.get("PATH")) is None]
    if not needs or not absent:
        return None
    return (
        "building the intershap-widget wheel needs Node.js (>= 18) with npm, and "
        f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} not on PATH: "
        + "; ".join(needs)
        + ". Install Node.js (https://nodejs.org, npm comes with it) and build again. Where those files "
        "are already built (a checkout that built once, or the folders copied from a wheel), set "
        "HATCH_JUPYTER_BUILDER_SKIP_NPM=1 to package them as they are. A wheel from PyPI needs neither."
    )


class OfflineExportBuildHook(BuildHookInterface):
    PLUGIN_NAME = "intershap-export"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        message = missing_tools(root, dict(os.environ))
        if message:
            raise RuntimeError(message)
        if shutil.which("npm") is None:
            # everything is built and up to date (else missing_tools stopped us): hatch-jupyter-builder
            # would still refuse to start without npm, so tell it to package the bundle as it is
            os.environ["HATCH_JUPYTER_BUILDER_SKIP_NPM"] = "1"
        skip = os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") or os.environ.get("INTERSHAP_SKIP_EXPORT_BUILD")
        node = shutil.which("node")
        if not skip and node is not None:  # without node the scripts are up to date (checked above)
            subprocess.run([node, str(root / "js-export" / "build.mjs")], check=True, cwd=root)
        if (root / OUT).is_dir():
            build_data.setdefault("artifacts", []).append(f"/{OUT}/")
