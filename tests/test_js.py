"""Runs the front end's unit tests (``tests/js/*.test.js``: scales, aggregation, store,
buffers) with node's built-in test runner, so the README's pytest command covers them."""

from __future__ import annotations

import pathlib
import shutil
import subprocess


def test_js_unit_tests_pass():
    node = shutil.which("node")
    assert node, "node (>= 18) is needed: it builds the widget and runs its unit tests"
    js_tests = pathlib.Path(__file__).parent / "js"
    files = sorted(str(p) for p in js_tests.glob("*.test.js"))
    assert len(files) >= 3
    proc = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
