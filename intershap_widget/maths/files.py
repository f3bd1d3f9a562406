"""Writing a file so that nothing is lost and a failure says what happened.

:func:`atomic_write` writes through a temporary file in the destination folder, flushed
to disk and renamed over the destination (:func:`os.replace`, atomic on POSIX and
Windows): an interrupted write leaves the previous file (or none) and no temporary
one. The new file gets the mode an ordinary ``open()`` would give it: an existing file's
mode is kept, a new file gets ``0o666`` less the process umask (the temporary file
itself is private, ``0o600``, until it is renamed). A failure is an ``OSError`` of the
usual kind (``FileNotFoundError``, ``PermissionError``, ``IsADirectoryError`` …) whose
message names the path the caller gave and the reason, never the temporary name.
"""

from __future__ import annotations

import errno
import os
import tempfile
from typing import Any, Callable

__all__ = ["atomic_write", "new_file_mode"]


def _umask() -> int:
    """The process umask, read without changing it where the system says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


def new_file_mode(path: str) -> int:
    """The permission bits ``open(path, "wb")`` would leave: the existing file's, or
    ``0o666 & ~umask`` for a new one."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _failed(exc: OSError, path: str) -> OSError:
    """``exc`` as the same kind of OSError, naming the user's ``path`` and the reason."""
    folder = os.path.dirname(os.path.abspath(path)) or os.sep
    code = exc.errno
    if code == errno.ENOENT and not os.path.isdir(folder):
        why = f"the folder {folder!r} does not exist; create it first (os.makedirs) or save elsewhere"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = f"no permission to write in the folder {folder!r} ({os.strerror(code)}); save where you can write"
    elif code == errno.ENOSPC:
        why = f"the disk holding {folder!r} is full; free space or save elsewhere (the previous file is kept)"
    elif code:
        why = f"the system refused to create a file in {folder!r} ({os.strerror(code)}); save elsewhere"
    else:
        why = f"{exc}; save elsewhere"
    return type(exc)(code, f"cannot write {path!r}: {why}") if code else type(exc)(f"cannot write {path!r}: {why}")


def atomic_write(path: Any, write: Callable[[Any], Any]) -> None:
    """Write a file through ``write(binary file)`` atomically, with an ordinary file's
    mode; see the module docstring. Errors name ``path`` and the reason."""
    path = os.fsdecode(os.fspath(path))
    if not path or os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"cannot write {path!r}: it is a folder (or no name); give a file "
                                "name, e.g. 'results/run.npz'")
    folder = os.path.dirname(os.path.abspath(path))
    mode = new_file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as exc:
        raise _failed(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            if hasattr(os, "fchmod"):  # POSIX: the mode open() would give (mkstemp makes 0o600)
                os.fchmod(fh.fileno(), mode)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(exc, OSError):
            raise _failed(exc, path) from None
        raise
