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
            ks = self.api("/api/kernels")
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
