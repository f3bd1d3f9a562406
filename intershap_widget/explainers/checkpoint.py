"""Checkpoints: a run folder holding each finished shard's coalition values, so a long
:func:`intershap_widget.explain` run survives a crash and resumes where it stopped.

Layout of ``run_dir``::

    manifest.json           what the run computes: inputs' fingerprint, model identity,
                            settings, seed, the shards (sample ranges)
    empty.npz               v(∅) per class (C,) and per background row (K, C), when
                            the masker shares it over samples
    pass0_shard00000.npz    shard 0 of the first pass: full outputs (n_s, C), coalition
                            values (n_s, B, C or 1), per-row outputs, model rows
    pass1_shard00000.npz    a sampled run's next pass over more background rows
    ...

Every file is written to a temporary name in the same folder and moved into place with
``os.replace`` (atomic on POSIX and Windows): a crash mid-write leaves the previous
state readable. A rerun with the same arguments skips the finished shards; a rerun with
other inputs, model, settings or seed is refused with a message naming what differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..maths.result_io import atomic_write
from .adapters import _is_tensor
from .inputs import leaves

__all__ = ["CheckpointMismatch", "Checkpoint", "fingerprint", "model_identity", "open_checkpoint"]

FORMAT = 1


class CheckpointMismatch(ValueError):
    """The run folder holds a run of other inputs, model or settings."""


def _as_numpy(a: Any) -> np.ndarray:
    return a.detach().cpu().numpy() if _is_tensor(a) else np.asarray(a)


def fingerprint(arrays: Sequence[Any]) -> str:
    """SHA-256 of dtypes, shapes and bytes of a list of arrays/tensors (hex)."""
    h = hashlib.sha256()
    for a in arrays:
        arr = np.ascontiguousarray(_as_numpy(a))
        h.update(f"{arr.dtype.str}{arr.shape};".encode())
        h.update(arr.view(np.uint8).reshape(-1).data if arr.size else b"")
    return h.hexdigest()


def model_identity(model: Any) -> str | None:
    """A hash of the model where one can be had: a torch module's class and state dict,
    a picklable estimator's pickle, a function's qualified name; None otherwise."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional
        torch = None
    name = f"{type(model).__module__}.{type(model).__qualname__}"
    if torch is not None and isinstance(model, torch.nn.Module):
        h = hashlib.sha256(name.encode())
        for key, t in model.state_dict().items():
            h.update(key.encode())
            h.update(fingerprint([t.detach().cpu()]).encode())
        return h.hexdigest()
    if hasattr(model, "__qualname__") and hasattr(model, "__module__"):
        return f"{model.__module__}.{model.__qualname__}"
    try:
        return hashlib.sha256(pickle.dumps(model)).hexdigest()
    except Exception:  # noqa: BLE001 - identity is best effort
        return None


class Checkpoint:
    """A run folder (see the module docstring). ``manifest`` is a JSON-able dict of what
    the run computes; opening a folder with another manifest raises
    :class:`CheckpointMismatch`."""

    def __init__(self, path: str | os.PathLike, manifest: dict) -> None:
        self.path = Path(path)
        self.manifest = json.loads(json.dumps(manifest))  # normalise (tuples -> lists)
        self.path.mkdir(parents=True, exist_ok=True)
        found = self.path / "manifest.json"
        if found.exists():
            stored = json.loads(found.read_text(encoding="utf-8"))
            diff = sorted(k for k in set(stored) | set(self.manifest) if stored.get(k) != self.manifest.get(k))
            if diff:
                raise CheckpointMismatch(
                    f"the checkpoint folder {str(self.path)!r} holds a run with other "
                    f"{', '.join(diff)} than this call; pass the same inputs and settings to "
                    "resume it, or use a new folder (or delete this one) to start over"
                )
        else:
            text = json.dumps(self.manifest, indent=1, sort_keys=True).encode()
            atomic_write(found, lambda f: f.write(text))

    @staticmethod
    def stored_manifest(path: str | os.PathLike | None) -> dict | None:
        """The manifest of the run folder ``path``, or None when there is none yet."""
        found = None if path is None else Path(path) / "manifest.json"
        if found is None or not found.exists():
            return None
        return json.loads(found.read_text(encoding="utf-8"))

    def close(self) -> None:
        """Release the folder (nothing to release yet)."""

    def _shard_path(self, pass_index: int, index: int) -> Path:
        return self.path / f"pass{pass_index}_shard{index:05d}.npz"

    def save_shard(self, spec: Any, shard: Any, part: Any) -> None:
        """Write one shard's part of the pass ``spec`` atomically (full outputs, coalition
        values, per-row outputs, model rows, its sample range and background rows)."""
        arrays = {"values": part.values, "range": np.array([shard.start, shard.stop]),
                  "rows_range": np.array([spec.k0, -1 if spec.k1 is None else spec.k1]),
                  "model_rows": np.array(part.model_rows)}
        if part.full is not None:
            arrays["full"] = part.full
        if part.rows is not None:
            arrays["rows"] = part.rows
        atomic_write(self._shard_path(spec.index, shard.index), lambda f: np.savez(f, **arrays))

    def load_pass(self, spec: Any, shards: Sequence[Any]) -> dict:
        """The finished shards of the pass ``spec``: ``{index: ShardResult}``."""
        from .shards import ShardResult

        out = {}
        for shard in shards:
            path = self._shard_path(spec.index, shard.index)
            if not path.exists():
                continue
            with np.load(path) as z:
                k1 = -1 if spec.k1 is None else spec.k1
                if tuple(z["range"]) != (shard.start, shard.stop) or tuple(z["rows_range"]) != (spec.k0, k1):
                    raise CheckpointMismatch(f"{path} holds samples {tuple(z['range'])} and background rows "
                                             f"{tuple(z['rows_range'])}, expected {(shard.start, shard.stop)} and "
                                             f"{(spec.k0, k1)}: use a new folder")
                out[shard.index] = ShardResult(z["full"] if "full" in z else None, z["values"],
                                               z["rows"] if "rows" in z else None, int(z["model_rows"]))
        return out

    def save_empty(self, mean: np.ndarray, rows: np.ndarray) -> None:
        """Write v(∅) ``(C,)`` and its per-row outputs ``(K, C)`` atomically."""
        atomic_write(self.path / "empty.npz", lambda f: np.savez(f, mean=mean, rows=rows))

    def load_empty(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(mean (C,), rows (K, C))`` of v(∅), or None when not saved yet."""
        path = self.path / "empty.npz"
        if not path.exists():
            return None
        with np.load(path) as z:
            return z["mean"], z["rows"]


def _identity(obj: Any) -> str:
    """A hash of any picklable value (given baseline rows, references), else its repr."""
    try:
        return hashlib.sha256(pickle.dumps(obj)).hexdigest()
    except Exception:  # noqa: BLE001 - identity is best effort
        return repr(obj)


def open_checkpoint(path: str, model: Any, xs: Sequence[Any], bg: Sequence[Any], *, output: str, target: Any,
                    step: int, shards: Sequence[Any], describe: dict, seed: int, baseline: Any = None,
                    precision: dict | None = None, identity: Any = None) -> Checkpoint:
    """The :class:`Checkpoint` of the run folder ``path`` for this run: its manifest holds
    the inputs' and background's fingerprints, the model's identity
    (:func:`model_identity`), the settings that change the numbers (masking, output,
    target, batch size, shards, precision targets, given baseline rows) and the seed."""
    settings = {k: v if isinstance(v, (int, float, str, bool, type(None))) else repr(v) for k, v in describe.items()}
    if describe.get("masking") == "baseline" and baseline is not None and not isinstance(baseline, str):
        settings["baseline"] = _identity(baseline)
    manifest = {
        "format": FORMAT,
        "inputs": fingerprint(leaves(xs)),
        "background": fingerprint(leaves(bg)),
        "model": identity if identity is not None else model_identity(model),
        "settings": {
            **settings,
            "output": output,
            "target": target if isinstance(target, str) else int(target),
            "batch_size": int(step),
            "precision": precision,
            "shards": [[int(s.start), int(s.stop)] for s in shards],
        },
        "seed": int(seed),
    }
    return Checkpoint(path, manifest)
