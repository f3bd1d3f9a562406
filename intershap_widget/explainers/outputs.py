"""What a model returns, read once into one ``(B, C)`` or ``(B,)`` array (``output_key=``).

Understood without ``output_key``: a tensor or array; an object with ``.logits`` (a
``transformers`` ``ModelOutput`` and anything shaped like it); a dict with a ``"logits"``
entry or exactly one array; a tuple or list whose first element is an array (the
``return_dict=False`` convention: ``(logits, aux, ...)``); a nested list of numbers.
``output_key`` picks another field: a dict key or attribute name (str), a tuple
position (int), or a callable ``fn(output) -> array``. bfloat16 and float16 outputs are
read as float64, so they are explained in double precision.

Contrastive models (CLIP and its kind) return a batch-by-batch similarity matrix
``(B, B)``: entry ``(i, j)`` scores row i of one modality with row j of the other. The
score of a row is its matched pair's, the diagonal: ``output_key=diagonal("logits_per_image")``
(:func:`diagonal`) explains it as one output per row.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["read", "OutputError", "diagonal", "Diagonal", "square_hint"]


class OutputError(TypeError):
    """The model's output could not be read; the message says which ``output_key`` to pass."""


def _is_tensor(obj: Any) -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, torch.Tensor)


def _is_array(obj: Any) -> bool:
    return isinstance(obj, np.ndarray) or _is_tensor(obj)


class Diagonal:
    """``output_key`` that reads a batch-by-batch output ``(B, B)`` (a field, or the default
    output) and returns its diagonal ``(B,)``: each row's score with its own partner."""

    def __init__(self, field: str | int | None = None) -> None:
        self.field = field

    def __call__(self, out: Any) -> Any:
        arr = pick(out, self.field)
        shape = tuple(getattr(arr, "shape", np.shape(arr)))
        if len(shape) != 2 or shape[0] != shape[1]:
            raise OutputError(
                f"{self!r} reads a batch-by-batch output (B, B) and takes its diagonal; the model's "
                f"{'output' if self.field is None else repr(self.field)} has shape {shape}; pass the field that "
                "holds the similarity matrix, or output_key= for a per-row output")
        return arr.diagonal()

    def __repr__(self) -> str:
        return f"isw.diagonal({'' if self.field is None else repr(self.field)})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Diagonal) and other.field == self.field

    def __hash__(self) -> int:
        return hash(("Diagonal", self.field))


def diagonal(field: str | int | None = None) -> Diagonal:
    """``output_key`` for a contrastive model: the diagonal ``(B,)`` of its batch-by-batch
    output ``(B, B)`` (``field``: e.g. ``"logits_per_image"``; None: the default output),
    i.e. each row's score with its own partner in the same batch row."""
    return Diagonal(field)


def square_hint(shape: tuple, rows: int) -> str:
    """What to do about a ``(rows, rows)`` output whose width follows the batch ("" otherwise)."""
    if len(shape) != 2 or shape[0] != rows or shape[1] != rows:
        return ""
    return (f"; the output is batch-by-batch ({rows} rows give {rows} x {rows}): a similarity matrix like "
            "CLIP's logits_per_image, whose entry (i, j) scores row i of one modality with row j of the other. "
            "Explain each row's score with its own partner, the diagonal: "
            "output_key=isw.diagonal('logits_per_image') (or the field that holds it)")


def _fields(out: Any) -> list[str]:
    if isinstance(out, Mapping):
        return [str(k) for k in out.keys()]
    names = getattr(out, "__dict__", {})
    return [k for k in names if not k.startswith("_")]


def _kind(out: Any) -> str:
    name = type(out).__name__
    return f"a ModelOutput ({name})" if type(out).__module__.startswith("transformers") else f"a {name}"


def _pick(out: Any, key: str | int | Callable) -> Any:
    if callable(key):
        return key(out)
    if isinstance(out, Mapping) and key in out:
        return out[key]
    if isinstance(out, (tuple, list)) and isinstance(key, int) and -len(out) <= key < len(out):
        return out[key]
    if isinstance(key, str) and hasattr(out, key):
        return getattr(out, key)
    raise OutputError(
        f"output_key={key!r} is not in what the model returned ({_kind(out)}; fields: {_fields(out)}); "
        "pass one of its fields, a tuple position, or a callable output_key=lambda out: ..."
    )


def _default(out: Any) -> Any:
    if _is_array(out):
        return out
    if not isinstance(out, (tuple, list)) and getattr(out, "logits", None) is not None:
        return out.logits
    if isinstance(out, Mapping):
        if out.get("logits") is not None:
            return out["logits"]
        arrays = [k for k, v in out.items() if _is_array(v)]
        if len(arrays) == 1:
            return out[arrays[0]]
        raise OutputError(
            f"the model returned {_kind(out)} with fields {_fields(out)} and none is called 'logits'; "
            f"pass output_key='{arrays[0] if arrays else 'name'}' (the field to explain) or a callable"
        )
    if isinstance(out, (tuple, list)) and out and _is_array(out[0]):
        return out[0]
    if isinstance(out, (tuple, list, float, int, np.number)):
        return out
    raise OutputError(
        f"the model returned {_kind(out)}, not an array; pass output_key='<field>' (fields: "
        f"{_fields(out)}) or a callable output_key=lambda out: ... that returns the (B, C) scores"
    )


def read(out: Any, output_key: str | int | Callable | None = None) -> Any:
    """The array to explain from a model's output: a tensor (kept in torch) or an array;
    half-precision outputs become float64."""
    return explainable(pick(out, output_key))


def pick(out: Any, output_key: str | int | Callable | None = None) -> Any:
    """The field of a model's output to explain, as the model returned it (its own dtype)."""
    return _default(out) if output_key is None else _pick(out, output_key)


def explainable(arr: Any) -> Any:
    """A picked output as a tensor or array that can be explained: half precision → float64."""
    if _is_tensor(arr):
        import torch

        if arr.dtype in (torch.bfloat16, torch.float16):
            arr = arr.to(torch.float64)
        return arr
    if isinstance(arr, np.ndarray) and arr.dtype == np.float16:
        return arr.astype(np.float64)
    if not _is_array(arr):
        try:
            arr = np.asarray(arr, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise OutputError(
                f"the model's output ({type(arr).__name__}) is not an array of numbers ({exc}); "
                "pass output_key= to pick the (B, C) scores"
            ) from exc
    return arr
