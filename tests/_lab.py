"""A throw-away headless JupyterLab on 127.0.0.1 and Debian's Chromium for browser tests.

Isolated config/runtime/settings dirs, a random token and a free port; stopped with
SIGTERM. Facts behind the flags: ../../shared/TOOLCHAIN.md ("A real JupyterLab").
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """``with Lab(root_dir, pythonpath) as lab:`` a running JupyterLab 4 server."""

    def __init__(self, root_dir: Path, pythonpath: str | None = None) -> None:
        self.root_dir = Path(root_dir)
        self.pythonpath = pythonpath
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Lab":
        self.tmp = Path(tempfile.mkdtemp(prefix="isw-lab-"))
        env = dict(os.environ)
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_WORKSPACES_DIR",
                    "JUPYTERLAB_SETTINGS_DIR"):
            (self.tmp / var).mkdir()
            env[var] = str(self.tmp / var)
        self.runtime_dir = self.tmp / "JUPYTER_RUNTIME_DIR"
        labconfig = self.tmp / "JUPYTER_CONFIG_DIR" / "labconfig"
        labconfig.mkdir()
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root_dir}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.news_url=None", "--ServerApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.tmp / "server.log", "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(self.tmp / 'server.log').read_text()[-2000:]}")
            try:
                self.api("/api/status")
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("JupyterLab did not start within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def api(self, path: str):
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"

    def wait_kernel_ready(self, timeout: float = 60) -> str:
        """Poll until one kernel is connected and idle (the toolbar's 'Idle' comes too early)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                ks = self.api("/api/kernels")
            except OSError:  # a transient HTTP 500 while the kernel starts: poll again
                time.sleep(0.3)
                continue
            if ks and ks[0].get("connections", 0) > 0 and ks[0].get("execution_state") == "idle":
                return ks[0]["id"]
            time.sleep(0.3)
        raise RuntimeError(f"no idle, connected kernel after {timeout} s: {self.api('/api/kernels')}")

    def kernel_client(self, kernel_id: str):
        """A second client on the notebook's kernel (to read and set traits from Python)."""
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient(connection_file=str(self.runtime_dir / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        return client


def run_python(client, code: str, timeout: float = 30) -> str:
    """Execute ``code`` in the kernel and return what it printed."""
    out: list[str] = []

    def hook(msg):
        if msg["header"]["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["header"]["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    reply = client.execute_interactive(code, timeout=timeout, output_hook=hook)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel error running {code!r}: {''.join(out)}")
    return "".join(out)


def browser_missing(bundle: Path) -> str:
    """Why browser tests cannot run here ('' when they can); ``bundle`` is the built JS."""
    import importlib.util

    for mod in ("jupyterlab", "playwright", "nbformat", "jupyter_client", "anywidget"):
        if importlib.util.find_spec(mod) is None:
            return f"python package {mod} is not installed"
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        return "chromium is not installed (apt-get install -y chromium)"
    if not Path(bundle).exists():
        return f"front-end bundle {bundle} missing (npm run build in js/)"
    return ""


def require_browser(bundle: Path) -> None:
    """Skip the calling test module without a browser; in CI (ISW_REQUIRE_BROWSER) fail."""
    import pytest

    why = browser_missing(bundle)
    if why:
        if os.environ.get("ISW_REQUIRE_BROWSER"):
            raise RuntimeError(f"browser tests required but {why}")
        pytest.skip(why, allow_module_level=True)


def notebook_session(work: Path, name: str, cells: list[str], ready, viewport_height: int = 1400,
                     viewport_width: int = 1280):
    """Open a notebook of ``cells`` in a fresh JupyterLab, run it, and yield a session.

    ``ready(page)`` waits until the run has drawn what the tests need; a run lost while
    the kernel connects is retried once. Yields ``{"page", "client", "errors"}``
    (a generator for a pytest fixture).
    """
    import nbformat
    from playwright.sync_api import sync_playwright

    import intershap_widget

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.strip()) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / name)
    pkg_parent = str(Path(intershap_widget.__file__).resolve().parents[1])
    with Lab(work, pythonpath=pkg_parent) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": viewport_width, "height": viewport_height})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e) + " " + str(getattr(e, "stack", ""))[:600]))
        page.goto(lab.url(name))
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        kernel_id = lab.wait_kernel_ready()
        for attempt in range(2):
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            try:
                ready(page)
                break
            except Exception:
                if attempt:
                    raise
        client = lab.kernel_client(kernel_id)
        try:
            yield {"page": page, "client": client, "errors": errors}
        finally:
            client.stop_channels()
            browser.close()


def wait_python(client, code: str, expected: str, timeout: float = 10.0) -> str:
    """Poll the kernel until ``code`` prints ``expected`` (front-end changes travel async)."""
    deadline = time.time() + timeout
    got = run_python(client, code).strip()
    while got != expected and time.time() < deadline:
        time.sleep(0.2)
        got = run_python(client, code).strip()
    return got
