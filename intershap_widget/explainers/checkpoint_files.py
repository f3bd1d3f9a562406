"""The files of a checkpoint folder besides the shards: the manifest (read with a clear
error when damaged; compared field by field), the checksum journal, and the owner
record that keeps a second driver out while the first is alive.

* ``checksums.sha256``: one line per finished file, ``<sha256>  <name>`` (the format
  of ``sha256sum -c``), appended after the file is in place. A file without a line, or
  whose bytes do not match it, is not trusted. Appending keeps the cost of a save
  constant however many shards a run has (a manifest rewritten per shard would grow
  with them).
* ``owner.json``: host, process id and a token of the driver using the folder, and
  the time it last said it was alive (refreshed every :data:`HEARTBEAT` seconds by a
  thread). Another driver is refused while that process is alive (same host) or the
  record is fresh (another host: younger than :data:`LEASE` seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from ..maths.result_io import atomic_write

__all__ = ["CheckpointError", "CheckpointMismatch", "CheckpointInUse", "read_manifest", "differences",
           "Journal", "FolderLock", "sha256_bytes", "HEARTBEAT", "LEASE"]

HEARTBEAT = 30.0
LEASE = 300.0
_HELD: set[str] = set()  # tokens of the owner records this process holds


class CheckpointError(ValueError):
    """A checkpoint folder that cannot be used as it is (the message says why and what to do)."""


class CheckpointMismatch(CheckpointError):
    """The run folder holds a run of other inputs, model or settings."""


class CheckpointInUse(CheckpointError):
    """Another live driver is writing this run folder."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, None when there is none; a clear error naming the file
    when it is damaged."""
    path = folder / "manifest.json"
    if not path.exists():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{path} is damaged ({type(err).__name__}: {err}), so what this folder holds cannot be "
                              "known: delete the folder (or use a new one) to start over") from None
    if not isinstance(found, dict) or "settings" not in found:
        raise CheckpointError(f"{path} is not an intershap-widget manifest: use a new folder for this run")
    return found


def _flat(value: Any, prefix: str, out: dict) -> dict:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flat(v, f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = value
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    for mark in ("array:", "pickle:", "str:"):
        text = text.replace(mark, "")
    return text if len(text) <= 40 else text[:12] + "…"


def differences(stored: dict, wanted: dict, ignore: set | None = None) -> list[str]:
    """Every leaf field that differs, as ``"path: stored -> wanted"`` (``ignore``: paths,
    or their prefixes, left out)."""
    a, b = _flat(stored, "", {}), _flat(wanted, "", {})
    skip = ignore or set()
    out = []
    for key in sorted(set(a) | set(b)):
        if any(key == s or key.startswith(s + ".") for s in skip) or a.get(key) == b.get(key):
            continue
        out.append(f"{key}: {_short(a.get(key, '(none)'))} -> {_short(b.get(key, '(none)'))}")
    return out


class Journal:
    """The checksum journal ``checksums.sha256`` (see the module docstring)."""

    NAME = "checksums.sha256"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME

    def load(self) -> dict[str, str]:
        """``{file name: sha256}``; a torn or foreign line is left out."""
        if not self.path.exists():
            return {}
        out = {}
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, _, name = line.partition("  ")
            if len(digest) == 64 and name and "/" not in name:
                out[name] = digest
        return out

    def record(self, name: str, digest: str) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{digest}  {name}\n")
            f.flush()
            os.fsync(f.fileno())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderLock:
    """The owner record ``owner.json`` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "owner.json"
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _record(self) -> dict:
        return {"host": socket.gethostname(), "pid": os.getpid(), "token": self.token, "alive_at": time.time()}

    def _write(self) -> None:
        text = json.dumps(self._record()).encode()
        atomic_write(self.path, lambda f: f.write(text))

    def _holder(self) -> dict | None:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
            return found if isinstance(found, dict) else None
        except (OSError, ValueError):
            return None

    def _live(self, other: dict) -> bool:
        if other.get("token") in _HELD:
            return True  # another run of this process
        fresh = time.time() - float(other.get("alive_at", 0)) < LEASE
        if other.get("host") == socket.gethostname():
            return other.get("pid") != os.getpid() and _alive(int(other.get("pid", -1))) and fresh
        return fresh

    def acquire(self) -> None:
        """Take the folder, or raise :class:`CheckpointInUse` naming the live owner."""
        other = self._holder()
        if other is not None and self._live(other):
            raise CheckpointInUse(
                f"another run is writing the checkpoint folder {str(self.path.parent)!r} (process {other.get('pid')} "
                f"on {other.get('host')}, alive {time.time() - float(other.get('alive_at', 0)):.0f} s ago): wait "
                f"for it to finish, or use another folder. If that process is gone, delete {self.path}")
        self._write()
        _HELD.add(self.token)
        self._thread = threading.Thread(target=self._beat, daemon=True, name="intershap-checkpoint-owner")
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            try:
                self._write()
            except OSError:
                pass

    def release(self) -> None:
        """Give the folder up (the record is removed when it is still ours)."""
        self._stop.set()
        _HELD.discard(self.token)
        holder = self._holder()
        if holder is not None and holder.get("token") == self.token:
            try:
                self.path.unlink()
            except OSError:
                pass
