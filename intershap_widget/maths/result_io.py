"""The file format of an :class:`~intershap_widget.maths.result.InteractionResult`: one
``.npz`` archive (no pickles) holding the coalition values, the per-sample arrays and a
JSON header (names, target, settings).

Writing is atomic: the archive goes to a temporary file in the destination folder,
is flushed to disk and then renamed over the destination with :func:`os.replace`, so
an interrupted save leaves the old file (or none) and never half a file. Reading a
file that is not a saved result (corrupt, truncated, another program's) raises one
:class:`ValueError` that starts with ``"not an intershap-widget result file: "``.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import Any

import numpy as np

from . import masking_carry
from .errors import ResultFileError
from .files import atomic_write  # noqa: F401  (re-exported: checkpoints write through it)
from .result_file_checks import FLOOR_BYTES, check_archive, check_header, not_ours, parse_header

__all__ = ["FORMAT_KIND", "FORMAT_VERSION", "save_result", "read_result_file", "atomic_write"]

FORMAT_KIND = "intershap-widget result"
#: 2 adds the masking error (arrays ``masking_*``, header ``masking_error``); 1 still loads
FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)
_ARRAYS = ("target_class", "class_values", "predicted_class", "labels")
_SCALARS = (str, bytes, bool, int, float, np.generic)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _storable_labels(labels: np.ndarray) -> tuple[np.ndarray, bool]:
    """Labels as an array ``np.load`` reads without pickles, and whether they were an
    object array (restored as one on load). Refuses None and mixed types."""
    if labels.dtype != object:
        return labels, False
    items = labels.tolist()
    if any(x is None for x in items):
        raise ValueError(
            "labels contain None, which a result file cannot store; give every sample a label "
            "(e.g. -1 or 'unknown') before explain()")
    kinds = {type(x) for x in items}
    if len(kinds) > 1 or not all(issubclass(k, _SCALARS) for k in kinds):
        names = ", ".join(sorted(k.__name__ for k in kinds))
        raise ValueError(
            f"labels of mixed or non-scalar types ({names}) cannot be stored; "
            "convert them to one type, e.g. labels=[str(x) for x in labels]")
    arr = np.array(items)
    if arr.dtype == object or arr.shape != labels.shape:
        raise ValueError("labels cannot be stored as a plain array; convert them to str or numbers")
    return arr, True


def save_result(result: Any, path: str | os.PathLike) -> None:
    """Write ``result`` to ``path`` (exactly that name) atomically; see the module doc."""
    meta = {
        "kind": FORMAT_KIND,
        "format_version": FORMAT_VERSION,
        "modality_names": result.modality_names,
        "target": result.target,
        "class_names": result.class_names,
        "settings": result.settings,
    }
    arrays = {"coalition_values": result.coalition_values, "sample_index": result.sample_index}
    for name in _ARRAYS:
        val = getattr(result, name)
        if val is not None:
            arrays[name] = val
    if "labels" in arrays:
        arrays["labels"], meta["labels_object"] = _storable_labels(arrays["labels"])
    if getattr(result, "masking_se", None) is not None:
        extra, meta["masking_error"] = masking_carry.to_file(result.masking_se)
        arrays.update(extra)
    header = np.array(json.dumps(meta, default=_json_default))
    # compressed while the arrays fit the floor any file may declare; larger ones stored
    # plain, so every file written here passes the reader's size bound (result_file_checks)
    small = sum(a.nbytes for a in arrays.values()) + header.nbytes <= FLOOR_BYTES
    savez = np.savez_compressed if small else np.savez
    atomic_write(path, lambda fh: savez(fh, meta=header, **arrays))


_not_ours = not_ours


def read_result_file(path: str | os.PathLike) -> tuple[np.ndarray, dict, dict]:
    """``(coalition_values (N, 2**M), keyword arrays, header)`` of a saved result; one
    clear :class:`ValueError` for anything that is not one (a missing file stays a
    :class:`FileNotFoundError`)."""
    try:
        check_archive(path)  # what the file declares, bounded before numpy allocates it
        data = np.load(path, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError, ResultFileError):
        raise
    except Exception:
        raise _not_ours(path, "not a numpy .npz archive") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise _not_ours(path, "a single numpy array, not a saved result")
    try:
        with data:
            if "meta" not in data.files or "coalition_values" not in data.files:
                raise _not_ours(path, "no intershap-widget header")
            meta = parse_header(str(data["meta"]), path)
            arrays = {k: data[k] for k in data.files if k != "meta"}
    except ValueError as exc:
        if str(exc).startswith("not an intershap-widget"):
            raise
        raise _not_ours(path, "unreadable header or arrays") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, zlib.error):
        raise _not_ours(path, "corrupt or truncated archive") from None
    if not isinstance(meta, dict) or meta.get("kind", FORMAT_KIND) != FORMAT_KIND:
        raise _not_ours(path, "the header is another program's")
    if meta.get("format_version") not in _READABLE_VERSIONS:
        raise _not_ours(path, f"unsupported format version {meta.get('format_version')!r}")
    missing = [k for k in ("modality_names", "target", "class_names", "settings") if k not in meta]
    if missing:
        raise _not_ours(path, f"header lacks {', '.join(missing)}")
    check_header(meta, path)
    if meta.pop("labels_object", False) and "labels" in arrays:
        arrays["labels"] = arrays["labels"].astype(object)
    return arrays.pop("coalition_values"), arrays, meta

