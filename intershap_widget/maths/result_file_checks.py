"""What a result file may declare, checked before anything is allocated (the reader's
side of :mod:`.result_io`).

A ``.npz`` file is a zip archive of ``.npy`` arrays; each array's header declares its
dtype and shape, and numpy allocates what it declares before reading a byte of data.
So a crafted file can ask for terabytes (a header shape of ``(1e11, 8)``), inflate a
few megabytes into gigabytes (a zip bomb), hold Python objects (pickles) or complex
numbers, or nest its JSON header 200,000 lists deep. :func:`check_archive` reads only
the zip directory and the array headers and refuses, before numpy reads any array:

* anything but a zip of ``.npy`` arrays (a bare ``.npy`` array too), more than
  :data:`MAX_MEMBERS` arrays, or a header numpy cannot parse;
* arrays of Python objects, and dtypes a result cannot hold (complex coalition values,
  fractional sample indices, …);
* more declared bytes than :func:`declared_budget` allows for a file of its size:
  ``max(FLOOR_BYTES, RATIO × file size)``. Files written by :func:`.result_io.save_result`
  always fit: their arrays are compressed only while they total under ``FLOOR_BYTES``.

:func:`parse_header` reads the JSON header (nesting bounded) and :func:`check_header`
its fields' types, including ``settings["interval_level"]``, so a loaded result can
always print, plot and show itself. Every refusal is a :class:`~.errors.ResultFileError`
that starts ``"not an intershap-widget result file: "``, names the path and the reason,
and never suggests loading pickles.
"""

from __future__ import annotations

import json
import math
import os
import re
import zipfile
from typing import Any

import numpy as np

from .errors import ResultFileError
from .uncertainty import check_interval_level

__all__ = ["FLOOR_BYTES", "RATIO", "MAX_MEMBERS", "declared_budget", "check_archive", "parse_header",
           "check_header", "not_ours"]

#: declared bytes any file may hold, whatever its size (a small result compresses well)
FLOOR_BYTES = 256 << 20
#: declared bytes per byte of file beyond the floor (deflate reaches ~1000, numbers ~1–10)
RATIO = 64
MAX_MEMBERS = 32
MAX_JSON_DEPTH = 64
#: bytes the JSON header may declare (a result's is a few kilobytes)
MAX_HEADER_BYTES = 16 << 20
#: dtype kinds each array may have (others: real numbers)
_KINDS = {"meta": "U", "coalition_values": "fiu", "class_values": "fiu", "target_class": "iu",
          "predicted_class": "iu", "sample_index": "iu", "labels": "biufUSMm"}
_NUMBERS = "biuf"


def not_ours(path: Any, why: str) -> ResultFileError:
    """The one load error: ``not an intershap-widget result file: <path> (<why>)``."""
    return ResultFileError(f"not an intershap-widget result file: {os.fspath(path)} ({why})")


def declared_budget(file_size: int) -> int:
    """Bytes of arrays a file of ``file_size`` bytes may declare."""
    return max(FLOOR_BYTES, RATIO * int(file_size))


def _array_header(fh: Any, name: str, path: Any) -> tuple[tuple, np.dtype]:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, _, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise ValueError(f"format version {version}")
    except Exception as exc:  # noqa: BLE001 - any unreadable header is one refusal
        raise not_ours(path, f"array {name!r} has an unreadable header: {type(exc).__name__}") from None
    return shape, dtype


def _check_dtype(name: str, dtype: np.dtype, path: Any) -> None:
    if dtype.hasobject:
        raise not_ours(path, f"array {name!r} holds Python objects; result files hold numbers and text only, "
                             "and objects are never loaded from a file")
    kinds = _KINDS.get(name, _NUMBERS)
    if dtype.kind not in kinds:
        what = "complex numbers" if dtype.kind == "c" else f"dtype {dtype}"
        raise not_ours(path, f"array {name!r} holds {what}; a result stores "
                             f"{'real numbers' if 'f' in kinds else 'whole numbers' if kinds == 'iu' else 'text'} there")


def check_archive(path: Any) -> None:
    """Refuse a file whose arrays are not what a result holds or declare more bytes than
    its size allows (see the module docstring); reads only headers, allocates nothing big."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic == b"\x93NUMPY":
        raise not_ours(path, "a single numpy array, not a saved result")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_ours(path, "not a numpy .npz archive") from None
    budget, total = declared_budget(size), 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise not_ours(path, f"{len(infos)} arrays, a result has at most {MAX_MEMBERS}")
        for info in infos:
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            try:
                with zf.open(info) as member:
                    shape, dtype = _array_header(member, name, path)
            except ResultFileError:
                raise
            except Exception:  # noqa: BLE001 - a broken zip member
                raise not_ours(path, f"array {name!r} cannot be read (corrupt or truncated archive)") from None
            _check_dtype(name, dtype, path)
            if name == "meta" and math.prod(shape) * dtype.itemsize > MAX_HEADER_BYTES:
                raise not_ours(path, f"its header declares more than {MAX_HEADER_BYTES:,} bytes")
            total += max(math.prod(shape) * dtype.itemsize, info.file_size)
            if total > budget:
                raise not_ours(path, f"its arrays declare {total:,} bytes or more, over {budget:,} for a file of "
                                     f"{size:,} bytes; refused before reading (a crafted or damaged file)")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _depth(text: str) -> int:
    """The deepest nesting of JSON brackets in ``text``, strings left out (vectorised)."""
    codes = np.frombuffer(_STRING.sub('""', text).encode("utf-8", "replace"), dtype=np.uint8)
    steps = np.isin(codes, (ord("["), ord("{"))).astype(np.int64) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def parse_header(text: str, path: Any) -> Any:
    """The JSON header, its nesting bounded (a result's is a few levels deep)."""
    if _depth(text) > MAX_JSON_DEPTH:
        raise not_ours(path, f"its header nests more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise not_ours(path, "unreadable header") from None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_header(meta: dict, path: Any) -> None:
    """The header's fields have the types a result needs (names, target, classes,
    settings, a valid ``interval_level``)."""
    if not _strings(meta["modality_names"]):
        raise not_ours(path, "modality_names is not a list of names")
    target = meta["target"]
    if not (isinstance(target, str) or isinstance(target, int) and not isinstance(target, bool)):
        raise not_ours(path, f"target {target!r} is neither a name nor a class number")
    if meta["class_names"] is not None and not _strings(meta["class_names"]):
        raise not_ours(path, "class_names is not a list of names")
    settings = meta["settings"]
    if not isinstance(settings, dict):
        raise not_ours(path, "settings is not a mapping")
    try:
        check_interval_level(settings)
    except ValueError as exc:
        raise not_ours(path, str(exc)) from None
