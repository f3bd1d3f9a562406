"""Hatch build hook: fetch the offline-export scripts into intershap_widget/static_export/.

(Not under ``intershap_widget/static/``: hatch-jupyter-builder's npm_builder skips the
widget build when that folder already holds files newer than ``js/``.)

Runs ``node js-export/build.mjs`` (``npm pack`` of requirejs and the widget HTML
manager; skipped when the files are already there in the pinned versions) and adds the
git-ignored output to the wheel. ``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` or
``INTERSHAP_SKIP_EXPORT_BUILD=1`` skips the npm step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

OUT = "intershap_widget/static_export"


class OfflineExportBuildHook(BuildHookInterface):
    PLUGIN_NAME = "intershap-export"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        skip = os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") or os.environ.get("INTERSHAP_SKIP_EXPORT_BUILD")
        if not skip:
            node = shutil.which("node")
            if node is None:
                raise RuntimeError(
                    "building intershap-widget needs Node.js (>= 18) and npm for the offline-export "
                    "scripts; install them or set INTERSHAP_SKIP_EXPORT_BUILD=1"
                )
            subprocess.run([node, str(root / "js-export" / "build.mjs")], check=True, cwd=root)
        if (root / OUT).is_dir():
            build_data.setdefault("artifacts", []).append(f"/{OUT}/")
