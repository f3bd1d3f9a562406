"""Model adapters: turn a torch module, a scikit-learn estimator or any callable into
one function "list of M batch arrays → (B, C) outputs", with the output transform.

The adapter also owns the *array backend*: inputs are converted once to what the model
eats (torch tensors on the model's device and dtype, or numpy arrays), so the maskers
build model inputs without round trips through numpy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

__all__ = ["ModelAdapter", "Concatenated", "concatenated", "as_model", "OUTPUTS"]

#: What a model's raw output is: logits get a softmax, probabilities are used as they
#: are, ``"raw"`` explains the outputs as they are (e.g. logits without a softmax),
#: are, regression has one value per row. ``"auto"`` decides on a probe batch.
OUTPUTS = ("auto", "logits", "probability", "raw", "regression")


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

    def __init__(self, model: Any) -> None:
        self.concatenate = isinstance(model, Concatenated)
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

    # ----------------------------------------------------------- backend
    @property
    def backend(self) -> str:
        """``"torch"`` or ``"numpy"``: the array type the model is fed."""
        return "torch" if self.kind == "torch" else "numpy"

    def to_backend(self, arr: Any) -> Any:
        """Convert one modality array (numpy or tensor) to the model's array type.

        Never modifies ``arr``; may return a view of it (which is never written to).
        """
        if self.backend == "torch":
            torch = _torch()
            if _is_tensor(arr):
                t = arr
            else:
                a = np.asarray(arr)
                # torch cannot wrap a read-only array without a warning: copy those
                t = torch.as_tensor(a if a.flags.writeable else a.copy())
            if t.is_floating_point() and t.dtype != self.dtype:
                t = t.to(self.dtype)
            return t.to(self.device)
        if _is_tensor(arr):
            return arr.detach().cpu().numpy()
        return np.asarray(arr)

    def take(self, arr: Any, index: np.ndarray) -> Any:
        """Rows ``arr[index]`` of a backend array (a new array); index: numpy ints ``(R,)``."""
        if self.backend == "torch":
            torch = _torch()
            return torch.index_select(arr, 0, torch.tensor(index, device=arr.device))
        return np.take(arr, index, axis=0)

    def concat(self, arrays: Sequence[Any]) -> Any:
        """Backend arrays stacked along the first axis."""
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
        if self.concatenate:
            flat = [x.reshape(batch, -1) for x in inputs]
            if self.backend == "torch":
                args: Any = _torch().cat(flat, dim=1)
            else:
                args = np.concatenate(flat, axis=1)
            return self._call_one(args)
        return self._call_one(list(inputs))

    def _call_one(self, args: Any) -> Any:
        if self.kind == "sklearn":
            if hasattr(self.model, "predict_proba"):
                return self.model.predict_proba(args)
            return self.model.predict(args)
        out = self.model(args)
        if self.kind == "callable" and not isinstance(out, np.ndarray):
            out = out.detach().cpu().numpy() if _is_tensor(out) else np.asarray(out)
        return out

    def default_output(self) -> str:
        """What ``output="auto"`` means before probing: sklearn's predict_proba gives probabilities."""
        if self.kind == "sklearn":
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


def as_model(model: Any) -> ModelAdapter:
    """Wrap ``model`` (torch module, sklearn estimator, callable, :class:`Concatenated`)."""
    if isinstance(model, ModelAdapter):
        return model
    return ModelAdapter(model)


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

