"""Model adapters: turn a torch module, a scikit-learn estimator or any callable into
one function "list of M batch arrays → (B, C) outputs", with the output transform.

A modality may be a :class:`~.inputs.Group` of arrays (``take``, ``concat`` and
``to_backend`` map over its leaves). How the model is called is :mod:`.calls`' business
(``call=``), how its output is read :mod:`.outputs`' (``output_key=``): both are used
at one point, :meth:`ModelAdapter.__call__`.

The adapter also owns the *array backend*: inputs are converted once to what the model
eats (torch tensors on the model's device and dtype, or numpy arrays), so the maskers
build model inputs without round trips through numpy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from ..maths.errors import InputError
from . import calls, outputs
from .frames import FrameModel
from .inputs import Group, InputSpec

__all__ = ["ModelAdapter", "Concatenated", "concatenated", "as_model", "OUTPUTS", "tensor_of"]

#: What a model's raw output is: logits get a softmax, probabilities are used as they
#: are, ``"raw"`` explains the outputs as they are (e.g. logits without a softmax),
#: are, regression has one value per row. ``"auto"`` decides on a probe batch.
OUTPUTS = ("auto", "logits", "probability", "raw", "regression")
#: rows up to which a failed first call is retried with the other calling conventions
_TRIAL_ROWS = 4


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional
        return None
    return torch


def _is_torch_module(obj: Any) -> bool:
    torch = _torch()
    return torch is not None and isinstance(obj, torch.nn.Module)


def _is_tensor(obj: Any) -> bool:
    torch = _torch()
    return torch is not None and isinstance(obj, torch.Tensor)


def tensor_of(x: Any) -> Any:
    """``x`` as a torch tensor: a tensor as it is; an array shared where torch can wrap it,
    copied where it cannot (read-only: a warning; negative strides such as ``x[::-1]``)."""
    if _is_tensor(x):
        return x
    a = np.asarray(x)
    return _torch().as_tensor(a if a.flags.writeable and min(a.strides, default=0) >= 0 else a.copy())


@dataclass(frozen=True)
class Concatenated:
    """A model that takes one input: the modalities flattened and concatenated.

    Wrap it with :func:`concatenated`; ``explain`` then calls
    ``model(concat([x_1.reshape(B, -1), ..., x_M.reshape(B, -1)], axis=1))``.
    """

    model: Any


def concatenated(model: Any) -> Concatenated:
    """Adapter for a model (torch, scikit-learn or callable) on one ``(B, Σ d_i)`` input."""
    return Concatenated(model)


class ModelAdapter:
    """Uniform call of a user's model on a list of M batch arrays.

    ``adapter(inputs)`` returns the *raw* outputs as a 2-D backend array ``(B, C)``;
    :meth:`transform` applies the output transform and returns float64 values in the
    backend. Inputs must already be backend arrays (:meth:`to_backend`).
    """

    def __init__(self, model: Any, call: str | None = None, output_key: Any = None,
                 output: str | None = None) -> None:
        #: how to build the one DataFrame a model of DataFrame input gets (:mod:`.frames`)
        self.frame = model.layout if isinstance(model, FrameModel) else None
        model = model.model if isinstance(model, FrameModel) else model
        self.concatenate = isinstance(model, Concatenated)
        self.call, self.output_key, self.requested = call, output_key, output
        self.spec: InputSpec | None = None
        self.convention = "list"
        self.called_ok = False  # True after the first call that worked (the probe)
        self.output_dtype: str | None = None  # dtype of the model's last output, before any cast
        self.one_column = False  # True when one score column was widened to two (_binary_scores)
        inner = model.model if self.concatenate else model
        self.model = inner
        self.kind: str
        if _is_torch_module(inner):
            self.kind = "torch"
            params = [p for p in inner.parameters()] + [b for b in inner.buffers()]
            floating = [p for p in params if p.is_floating_point()]
            self.device = params[0].device if params else _torch().device("cpu")
            self.dtype = floating[0].dtype if floating else _torch().get_default_dtype()
        elif hasattr(inner, "predict_proba") or (hasattr(inner, "predict") and hasattr(inner, "fit")):
            self.kind = "sklearn"
            # a scikit-learn estimator takes one 2-D input
            self.concatenate = True
        elif callable(inner):
            self.kind = "callable"
        else:
            raise TypeError(
                f"model must be a torch.nn.Module, a scikit-learn estimator or a callable "
                f"taking a list of M batch arrays; got {type(inner).__name__}"
            )

    def bind_inputs(self, spec: InputSpec) -> None:
        """Record how X was given and settle the call convention (raises before any call)."""
        self.spec = spec
        if self.frame is not None:
            if self.call is not None:
                raise ValueError(f"call={self.call!r} does not apply: with X given as a DataFrame the model gets "
                                 "one DataFrame of every column")
            return
        if self.concatenate:
            if self.call not in (None, "list"):
                raise ValueError(f"call={self.call!r} does not apply: a {self.kind} model gets the "
                                 "modalities flattened and concatenated into one (B, D) input")
            return
        self.convention = calls.resolve(self.model, self.call, spec)

    @property
    def uses_decision_function(self) -> bool:
        """scikit-learn with output="raw"/"logits" explains ``decision_function``."""
        return (self.kind == "sklearn" and self.requested in ("raw", "logits")
                and hasattr(self.model, "decision_function"))

    # ----------------------------------------------------------- backend
    @property
    def backend(self) -> str:
        """``"torch"`` or ``"numpy"``: the array type the model is fed."""
        return "torch" if self.kind == "torch" else "numpy"

    def to_backend(self, arr: Any) -> Any:
        """Convert one modality array (numpy or tensor) to the model's array type.

        Never modifies ``arr``; may return a view of it (which is never written to).
        Integer arrays (token ids, masks) keep their dtype; a group maps over its arrays.
        """
        if isinstance(arr, Group):
            return arr.map(self.to_backend)
        if self.backend == "torch":
            torch = _torch()
            if _is_tensor(arr):
                t = arr
            else:
                a = np.asarray(arr)
                if a.dtype.kind not in "biufc":
                    raise InputError(
                        f"an input array of shape {a.shape} holds {a.dtype} values, and a torch model takes "
                        "tensors of numbers; encode them first (text: token ids from a tokenizer; categories: "
                        "integer codes, e.g. pandas.factorize; dates: e.g. days as numbers)")
                t = tensor_of(a)
            if t.is_floating_point() and t.dtype != self.dtype:
                t = t.to(self.dtype)
            return t.to(self.device)
        if _is_tensor(arr):
            t = arr.detach().cpu()
            # numpy has no bfloat16: widen to float32, which holds every bfloat16 value exactly
            return (t.float() if t.dtype == _torch().bfloat16 else t).numpy()
        return np.asarray(arr)

    def take(self, arr: Any, index: np.ndarray) -> Any:
        """Rows ``arr[index]`` of a backend array (a new array); index: numpy ints ``(R,)``."""
        if isinstance(arr, Group):
            return arr.map(lambda leaf: self.take(leaf, index))
        if self.backend == "torch":
            torch = _torch()
            return torch.index_select(arr, 0, torch.tensor(index, device=arr.device))
        return np.take(arr, index, axis=0)

    def concat(self, arrays: Sequence[Any]) -> Any:
        """Backend arrays stacked along the first axis."""
        if isinstance(arrays[0], Group):
            parts = [self.concat([a.leaves[j] for a in arrays]) for j in range(len(arrays[0].leaves))]
            return Group(parts, arrays[0].keys)
        if self.backend == "torch":
            return _torch().cat(list(arrays), dim=0)
        return np.concatenate(arrays, axis=0)

    # ----------------------------------------------------------- calling
    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Evaluation context: torch modules in eval mode without grad, restored after."""
        if self.kind != "torch":
            yield
            return
        torch = _torch()
        modes = [(m, m.training) for m in self.model.modules()]
        self.model.eval()
        try:
            with torch.inference_mode():
                yield
        finally:
            for module, mode in modes:
                module.training = mode

    def __call__(self, inputs: Sequence[Any]) -> Any:
        """Raw model outputs ``(B, C)`` (or ``(B,)``) for a list of M backend arrays."""
        batch = inputs[0].shape[0]
        if self.frame is not None:  # one DataFrame of the original columns, order and dtypes
            out = self._call_one((self.frame.frame(inputs),), {})
            return self._binary_scores(out) if self.kind != "sklearn" or self.uses_decision_function else out
        if self.concatenate:
            flat = [x.reshape(batch, -1) for x in _leaves(inputs)]
            if self.backend == "torch":
                args: Any = _torch().cat(flat, dim=1)
            else:
                args = np.concatenate(flat, axis=1)
            out = self._call_one((args,), {})
            return self._binary_scores(out) if self.kind != "sklearn" or self.uses_decision_function else out
        spec = self.spec or InputSpec("list", tuple(str(i) for i in range(len(inputs))), (None,) * len(inputs))
        args, kwargs = calls.arguments(self.convention, list(inputs), spec)
        try:
            out = self._call_one(args, kwargs)
        except outputs.OutputError:
            raise  # the call ran; what it returned needs output_key= (the message says which)
        except Exception as exc:
            if self.called_ok:  # the call works: a later failure is the model's, passed on as it is
                raise
            # before any call has worked: would another convention run? Tried on the probe's
            # few rows only (a worker's first batch may be large, its failure the model's own)
            works = [c for c in calls.CALLS if c != self.convention and batch <= _TRIAL_ROWS
                     and self._runs_as(c, list(inputs), spec)]
            raise calls.call_error(exc, self.convention, list(inputs), spec, works, self.kind) from exc
        self.called_ok = True
        return self._binary_scores(out)

    def _runs_as(self, call: str, inputs: list, spec: InputSpec) -> bool:
        """Whether the model runs on ``inputs`` when called with the convention ``call``."""
        try:
            if call in ("keywords", "dict"):
                calls.resolve(self.model, call, spec)  # refuses names that clash in one batch
            self._call_one(*calls.arguments(call, inputs, spec))
        except outputs.OutputError:
            return True  # it ran; only its output needs reading
        except Exception:  # noqa: BLE001 - any failure means: not this convention
            return False
        return True

    def _call_one(self, args: tuple, kwargs: dict) -> Any:
        if self.kind == "sklearn":
            if self.uses_decision_function:
                return self.model.decision_function(*args)
            if hasattr(self.model, "predict_proba"):
                return self.model.predict_proba(*args)
            return self.model.predict(*args)
        picked = outputs.pick(self.model(*args, **kwargs), self.output_key)
        self.output_dtype = str(getattr(picked, "dtype", "float64"))  # the precision the model computed in
        out = outputs.explainable(picked)
        if self.kind == "callable" and not isinstance(out, np.ndarray):
            out = out.detach().cpu().numpy() if _is_tensor(out) else np.asarray(out)
        return out

    def _binary_scores(self, out: Any) -> Any:
        """One score column of a binary classifier explained as "raw"/"logits" becomes two
        columns, so the predicted class is the argmax: ``[-s, s]`` (raw: the predicted
        class's score, sign-flipped for the negative class) or ``[0, s]`` (logits: the
        softmax is then the sigmoid of s)."""
        if self.requested not in ("raw", "logits") or out.ndim not in (1, 2):
            return out
        if out.ndim == 2 and out.shape[1] != 1:
            return out
        self.one_column = True
        s = out.reshape(-1, 1)
        other = -s if self.requested == "raw" else s * 0
        return _torch().cat([other, s], dim=1) if _is_tensor(s) else np.concatenate([other, s], axis=1)

    def default_output(self) -> str:
        """What ``output="auto"`` means before probing: sklearn's predict_proba gives probabilities."""
        if self.kind == "sklearn":
            if self.uses_decision_function:
                return self.requested
            return "probability" if hasattr(self.model, "predict_proba") else "regression"
        return "auto"

    def transform(self, raw: Any, output: str) -> Any:
        """Apply the output transform; returns float64 ``(B, C)`` in the backend."""
        if self.backend == "torch":
            x = raw.double()
            if x.ndim == 1:
                x = x[:, None]
            if output == "logits":
                x = _torch().softmax(x, dim=1)
            return x
        x = np.asarray(raw, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        if output == "logits":
            x = x - x.max(axis=1, keepdims=True)
            np.exp(x, out=x)
            x /= x.sum(axis=1, keepdims=True)
        return x

    def to_numpy(self, arr: Any) -> np.ndarray:
        """A backend array as numpy float64."""
        if self.backend == "torch":
            return arr.detach().cpu().numpy().astype(np.float64, copy=False)
        return np.asarray(arr, dtype=np.float64)


def _leaves(values: Sequence[Any]) -> list:
    return [leaf for v in values for leaf in (v.leaves if isinstance(v, Group) else [v])]


def as_model(model: Any, call: str | None = None, output_key: Any = None, output: str | None = None,
             inputs: InputSpec | None = None) -> ModelAdapter:
    """Wrap ``model`` (torch module, sklearn estimator, callable, :class:`Concatenated`).

    ``call``: how the model takes the modalities (:mod:`.calls`); ``output_key``: what to
    read from its output (:mod:`.outputs`); ``output``: the requested output mode;
    ``inputs``: how X was given (settles the call convention now)."""
    adapter = model if isinstance(model, ModelAdapter) else ModelAdapter(model, call, output_key, output)
    if inputs is not None:
        adapter.bind_inputs(inputs)
    return adapter


def resolve_output(output: str, probe: np.ndarray) -> str:
    """Decide ``output="auto"`` from a probe batch of raw outputs ``(B, C)`` or ``(B,)``.

    One column → regression; rows that are non-negative and sum to 1 → probability;
    otherwise logits.
    """
    if output != "auto":
        return output
    p = np.asarray(probe, dtype=np.float64)
    if p.ndim == 1 or p.shape[1] == 1:
        return "regression"
    if np.all(p >= -1e-7) and np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        return "probability"
    return "logits"

