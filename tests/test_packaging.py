"""Packaging as a packager meets it: the license files are where the wheel's metadata says,
and a wheel build without Node.js/npm stops with one message that says what is needed
(js-export/hatch_build.py), or needs neither when the front end is already built."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _hook():
    spec = importlib.util.spec_from_file_location("isw_hatch_build", ROOT / "js-export" / "hatch_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_license_files_are_shipped():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT"
    assert meta["license-files"] == ["LICENSE", "THIRD_PARTY_NOTICES.md"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text()
    spec = json.loads((ROOT / "js-export" / "package.json").read_text())["exportFiles"]
    for name, s in spec.items():  # every fetched script is named with its version and license
        assert f"{name}" in notices and s["version"] in notices and s["license"] in notices
    assert "Redistribution and use in source and binary forms" in notices  # the BSD-3 text itself


def _tree(tmp_path: Path, built: bool) -> Path:
    root = tmp_path / "src"
    shutil.copytree(ROOT / "js-export", root / "js-export", ignore=shutil.ignore_patterns("node_modules"))
    (root / "js").mkdir(parents=True)
    (root / "js" / "index.js").write_text("export default {};\n")
    if built:
        time.sleep(0.01)
        static = root / "intershap_widget" / "static"
        static.mkdir(parents=True)
        for f in ("widget.js", "game.js"):
            (static / f).write_text("// built\n")
        out = root / "intershap_widget" / "static_export"
        out.mkdir(parents=True)
        spec = json.loads((root / "js-export" / "package.json").read_text())["exportFiles"]
        for s in spec.values():
            for dest in s["files"].values():
                (out / dest).write_text("// fetched\n")
        (out / "manifest.json").write_text(json.dumps(
            {"packages": {n: {"version": s["version"]} for n, s in spec.items()}}))
        for f in (static / "widget.js", static / "game.js"):
            os.utime(f, (time.time() + 5, time.time() + 5))
    return root


def test_a_build_without_node_says_once_what_it_needs(tmp_path):
    hook = _hook()
    root = _tree(tmp_path, built=False)
    no_tools = {"PATH": str(tmp_path / "empty")}
    message = hook.missing_tools(root, no_tools)
    assert message.startswith("building the intershap-widget wheel needs Node.js (>= 18) with npm, and node and "
                               "npm are not on PATH")
    assert "js/ -> intershap_widget/static/widget.js" in message and "js-export/ -> " in message
    assert "HATCH_JUPYTER_BUILDER_SKIP_NPM=1" in message
    # skipping the export scripts alone still needs npm for the widget bundle: the same one message
    only_bundle = hook.missing_tools(root, {**no_tools, "INTERSHAP_SKIP_EXPORT_BUILD": "1"})
    assert "npm builds the widget's front end" in only_bundle and "offline-export" not in only_bundle
    assert hook.missing_tools(root, {**no_tools, "HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}) is None


def test_a_built_tree_needs_no_node(tmp_path):
    hook = _hook()
    root = _tree(tmp_path, built=True)
    assert not hook.bundle_is_stale(root) and not hook.export_is_stale(root)
    assert hook.missing_tools(root, {"PATH": str(tmp_path / "empty")}) is None
    (root / "js" / "index.js").write_text("export default {x: 1};\n")  # a newer source: rebuild needed
    os.utime(root / "js" / "index.js", (time.time() + 60, time.time() + 60))
    assert hook.bundle_is_stale(root)
    assert "npm builds the widget's front end" in hook.missing_tools(root, {"PATH": str(tmp_path / "empty")})


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs node and npm")
def test_with_node_on_path_nothing_is_missing(tmp_path):
    assert _hook().missing_tools(_tree(tmp_path, built=False), dict(os.environ)) is None
