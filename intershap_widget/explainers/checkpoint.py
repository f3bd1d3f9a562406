"""Checkpoints: a run folder holding each finished shard's coalition values, so a long
:func:`intershap_widget.explain` run survives a crash and resumes where it stopped.

Layout of ``run_dir``::

    manifest.json           what the run computes (its identity): inputs' and background's
                            fingerprints, the model's identity (:mod:`.identity`), the
                            settings, the seed, the shards, the versions of Python,
                            intershap-widget, numpy and torch
    checksums.sha256        SHA-256 of every finished file, one line each (:mod:`.checkpoint_files`)
    owner.json              the live driver writing the folder (a second one is refused)
    empty.npz               v(∅) per class (C,) and per background row (K, C), when
                            the masker shares it over samples
    pass0_shard00000.npz    shard 0 of the first pass: full outputs (n_s, C), coalition
                            values (n_s, B, C or 1), per-row outputs, model rows, and the
                            digest of the run it belongs to
    pass1_shard00000.npz    a sampled run's next pass over more background rows
    ...

Every file is written to a temporary name in the same folder and moved into place with
``os.replace`` (atomic on POSIX and Windows): a crash mid-write leaves the previous
state readable. A rerun with the same arguments skips the finished shards; a rerun with
other inputs, model, settings, seed or versions is refused with
:class:`CheckpointMismatch` naming every field that differs (``settings.precision.phi:
0.02 -> 0.01``). A shard file that is damaged, truncated, altered or from another run
(its checksum or its run digest differ) is named in a :class:`DamagedShardWarning` and
computed again; it is never read into the result.

The model's identity is taken when the run starts. Attributes the model changes on
itself during a run (a call counter) are found when the run ends (the model is hashed
again) and recorded as ``volatile`` in the manifest: they are left out of the
comparison, so a rerun in the same process still resumes.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..maths.result_io import atomic_write
from .adapters import _is_tensor
from .checkpoint_files import (CheckpointError, CheckpointInUse, CheckpointMismatch, FolderLock, Journal, differences,
                               read_manifest, sha256_bytes)
from .identity import Unidentifiable, digest, model_identity, value_identity
from .inputs import leaves

__all__ = ["CheckpointError", "CheckpointMismatch", "CheckpointInUse", "DamagedShardWarning", "Checkpoint",
           "fingerprint", "model_identity", "model_field", "open_checkpoint"]

FORMAT = 2


class DamagedShardWarning(UserWarning):
    """A checkpoint file was damaged, altered or from another run: it is computed again."""


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


def _run_digest(manifest: dict) -> str:
    return digest({k: v for k, v in manifest.items() if k != "volatile"})


class Checkpoint:
    """A run folder (see the module docstring). ``manifest`` is a JSON-able dict of what
    the run computes; opening a folder with another manifest raises
    :class:`CheckpointMismatch`; a folder another live driver writes,
    :class:`CheckpointInUse`. ``reidentify`` (optional) hashes the model again when
    the run ends (see ``volatile`` above)."""

    def __init__(self, path: str | os.PathLike, manifest: dict, reidentify: Callable[[], Any] | None = None) -> None:
        import json

        self.path = Path(path)
        self.manifest = json.loads(json.dumps(manifest))  # normalise (tuples -> lists)
        self.path.mkdir(parents=True, exist_ok=True)
        self._reidentify = reidentify
        stored = read_manifest(self.path)
        self.lock = FolderLock(self.path)
        self.lock.acquire()
        try:
            self._compare(stored)
        except BaseException:
            self.lock.release()
            raise
        self.digest = _run_digest(self.manifest)
        self.journal = Journal(self.path)
        if stored is None:
            self._write_manifest()

    def _compare(self, stored: dict | None) -> None:
        if stored is not None:
            volatile = set(stored.get("volatile", []))
            diff = differences({k: v for k, v in stored.items() if k != "volatile"}, self.manifest, volatile)
            if diff:
                raise CheckpointMismatch(
                    f"the checkpoint folder {str(self.path)!r} holds another run than this call: "
                    f"{'; '.join(diff)} (stored -> this call). Pass the same inputs, model and settings to resume "
                    "it, or use a new folder (or delete this one) to start over")
            self.manifest = {**stored, "volatile": sorted(volatile)}  # the folder's run, as recorded

    def _write_manifest(self) -> None:
        import json

        text = json.dumps(self.manifest, indent=1, sort_keys=True).encode()
        atomic_write(self.path / "manifest.json", lambda f: f.write(text))

    @staticmethod
    def stored_manifest(path: str | os.PathLike | None) -> dict | None:
        """The manifest of the run folder ``path``, or None when there is none yet (a
        clear error naming the file when it is damaged)."""
        return None if path is None else read_manifest(Path(path))

    def close(self) -> None:
        """End the run: record what the model changed on itself, give the folder up."""
        try:
            if self._reidentify is not None:
                now = self._reidentify()
                changed = differences({"model": self.manifest.get("model")}, {"model": now})
                fields = sorted({c.split(":")[0] for c in changed} | set(self.manifest.get("volatile", [])))
                if fields != self.manifest.get("volatile", []):
                    self.manifest["volatile"] = fields
                    self._write_manifest()
        except (Unidentifiable, OSError):
            pass
        finally:
            self.lock.release()

    def _shard_path(self, pass_index: int, index: int) -> Path:
        return self.path / f"pass{pass_index}_shard{index:05d}.npz"

    def _save(self, path: Path, arrays: dict) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, run=np.frombuffer(self.digest.encode(), dtype=np.uint8), **arrays)
        data = buffer.getvalue()
        atomic_write(path, lambda f: f.write(data))
        self.journal.record(path.name, sha256_bytes(data))

    def _load(self, path: Path, checksums: dict) -> dict | None:
        """The arrays of a finished file, or None (with a :class:`DamagedShardWarning`)
        when it cannot be trusted."""
        if not path.exists():
            return None
        why = None
        try:
            data = path.read_bytes()
            if checksums.get(path.name) != sha256_bytes(data):
                why = "its checksum is not the one recorded when it was written" if path.name in checksums else \
                    "no checksum was recorded for it (written by another run, or its save was cut short)"
            else:
                with np.load(io.BytesIO(data), allow_pickle=False) as z:
                    arrays = {k: z[k] for k in z.files}
                if bytes(arrays.pop("run", np.zeros(0, np.uint8))).decode(errors="replace") != self.digest:
                    why = "it belongs to another run"
        except Exception as err:  # noqa: BLE001 - any unreadable file is recomputed, never trusted
            why = f"it cannot be read ({type(err).__name__})"
        if why is not None:
            warnings.warn(f"checkpoint file {path} is not used: {why}; it is computed again", DamagedShardWarning,
                          stacklevel=5)
            return None
        return arrays

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
        self._save(self._shard_path(spec.index, shard.index), arrays)

    def load_pass(self, spec: Any, shards: Sequence[Any]) -> dict:
        """The finished, intact shards of the pass ``spec``: ``{index: ShardResult}``."""
        from .shards import ShardResult

        out, checksums = {}, self.journal.load()
        k1 = -1 if spec.k1 is None else spec.k1
        for shard in shards:
            z = self._load(self._shard_path(spec.index, shard.index), checksums)
            if z is None:
                continue
            if tuple(z["range"]) != (shard.start, shard.stop) or tuple(z["rows_range"]) != (spec.k0, k1):
                warnings.warn(f"checkpoint file {self._shard_path(spec.index, shard.index)} holds samples "
                              f"{tuple(z['range'])}, expected {(shard.start, shard.stop)}: it is computed again",
                              DamagedShardWarning, stacklevel=4)
                continue
            out[shard.index] = ShardResult(z.get("full"), z["values"], z.get("rows"), int(z["model_rows"]))
        return out

    def save_empty(self, mean: np.ndarray, rows: np.ndarray) -> None:
        """Write v(∅) ``(C,)`` and its per-row outputs ``(K, C)`` atomically."""
        self._save(self.path / "empty.npz", {"mean": mean, "rows": rows})

    def load_empty(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(mean (C,), rows (K, C))`` of v(∅), or None when not saved (or not intact)."""
        z = self._load(self.path / "empty.npz", self.journal.load())
        return None if z is None else (z["mean"], z["rows"])


def _versions() -> dict:
    from .workers import worker_report

    report = worker_report()
    return {k: report[k] for k in ("python", "intershap_widget", "numpy", "torch")}


def _setting(value: Any, name: str) -> Any:
    """A setting as a readable value or a digest (functions by their code, see :mod:`.identity`)."""
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    return value_identity(value, f"the setting {name!r}")


def model_field(model: Any, identity: Any = None, key: str | None = None) -> Any:
    """The manifest's ``model`` field: the key the user vouches with, the identity taken
    elsewhere, or the model's identity now (a clear error when it cannot be had)."""
    if key is not None:
        return {"checkpoint_key": str(key)}
    if identity is not None:
        return identity
    try:
        return model_identity(model)
    except Unidentifiable as err:
        raise CheckpointError(f"cannot identify the model for the checkpoint: {err}. A checkpoint must know that a "
                              "resumed run uses the same model; pass checkpoint_key='a name for this model and its "
                              "weights' to vouch for it (change the key whenever the model changes)") from None


def open_checkpoint(path: str, model: Any, xs: Sequence[Any], bg: Sequence[Any], *, output: str, target: Any,
                    step: int, shards: Sequence[Any], describe: dict, seed: int, baseline: Any = None,
                    precision: dict | None = None, identity: Any = None, key: str | None = None,
                    recheck: bool = False) -> Checkpoint:
    """The :class:`Checkpoint` of the run folder ``path`` for this run: its manifest holds
    the inputs' and background's fingerprints, the model's identity (:mod:`.identity`;
    ``identity`` when taken elsewhere, e.g. on a worker; ``{"checkpoint_key": key}`` when
    the user vouches with a key), the settings that change the numbers (masking, output,
    target, batch size, shards, precision targets, given baseline rows or function), the
    seed and the library versions. ``recheck``: hash ``model`` again when the run ends
    (a model in this process: see ``volatile`` in the module docstring)."""
    settings = {k: _setting(v, k) for k, v in describe.items()}
    if describe.get("masking") == "baseline" and baseline is not None and not isinstance(baseline, str):
        settings["baseline"] = _setting(baseline, "baseline")
    manifest = {
        "format": FORMAT,
        "inputs": fingerprint(leaves(xs)),
        "background": fingerprint(leaves(bg)),
        "model": model_field(model, identity, key),
        "settings": {
            **settings,
            "output": output,
            "target": target if isinstance(target, str) else int(target),
            "batch_size": int(step),
            "precision": precision,
            "shards": [[int(s.start), int(s.stop)] for s in shards],
        },
        "seed": int(seed),
        "versions": _versions(),
    }
    return Checkpoint(path, manifest, (lambda: model_identity(model)) if recheck and key is None else None)
