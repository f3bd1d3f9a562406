"""How a model is called with the M modalities, declared once (``call=``).

=============== ========================================= ===========================
``call=``       the model is called as                    typical model
=============== ========================================= ===========================
``"list"``      ``model([x_1, ..., x_M])``                 ``forward(self, xs)``
``"positional"````model(x_1, ..., x_M)``                   ``forward(self, image, text)``
``"keywords"``  ``model(**batch)``                         transformers: ``forward(self,
                                                           input_ids, attention_mask, ...)``
``"dict"``      ``model(batch)``                           ``forward(self, batch)``
=============== ========================================= ===========================

``x_i`` is modality i as given (an array, or a dict/tuple group of arrays); ``batch``
merges the modalities into one dict: a dict group's arrays under their own keys, any
other modality under its name. Without ``call=`` the convention is read from the forward
signature (:func:`resolve`) where that is unambiguous: the batch's names all parameters →
``"keywords"``; as many required positional parameters as modalities → ``"positional"``;
one input → ``"list"`` for X given as a list, ``"dict"`` for X given as a dict.
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence

import numpy as np

from .inputs import Group, InputSpec

__all__ = ["CALLS", "ModelCallError", "resolve", "arguments", "describe", "call_error", "with_context",
           "raise_with_context"]

CALLS = ("list", "positional", "keywords", "dict")


class ModelCallError(TypeError):
    """Calling the model failed; the message says how to call it instead."""


def _params(model: Any) -> list[inspect.Parameter] | None:
    fn = getattr(model, "forward", model)
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None


def _options(spec: InputSpec) -> str:
    batch = ", ".join(spec.batch_keys())
    return (
        "say how it is called with call=: 'list' (model([x_1, ..., x_M])), 'positional' "
        f"(model(x_1, ..., x_M)), 'keywords' (model(**batch), batch = {{{batch}}}) or 'dict' (model(batch))"
    )


def _check_batch_names(spec: InputSpec) -> None:
    keys = spec.batch_keys()
    clash = sorted({k for k in keys if keys.count(k) > 1})
    if clash:
        from ..maths.errors import InputError

        holders = [key for key, g in zip(spec.keys, spec.groups)
                   if (set(g) if isinstance(g, tuple) else {key}) & set(clash)]
        raise InputError(
            f"the names {clash} occur in more than one modality ({', '.join(map(repr, holders))}), so they cannot be "
            "merged into one batch for call='keywords' or 'dict': a model called with keywords takes each name "
            "once. If the model has one parameter per modality, rename them (a dict group's keys, or the "
            "modality's name). If both are parts of one input (a sentence pair: [CLS] first [SEP] second [SEP] in "
            "one input_ids), wrap the model so it builds that input from the modalities, e.g. def pair(first, "
            "second): return model(input_ids=torch.cat([first['input_ids'], second['input_ids'][:, 1:]], 1), "
            "attention_mask=..., token_type_ids=...), and explain pair with call='positional'"
        )


def resolve(model: Any, call: str | None, spec: InputSpec) -> str:
    """The call convention: ``call`` when given, else read from the forward signature."""
    if call is not None:
        if call not in CALLS:
            from ..maths.errors import InputError

            raise InputError(f"call must be one of {CALLS}, got {call!r}")
        if call in ("keywords", "dict"):
            _check_batch_names(spec)
        return call
    natural = "dict" if spec.form == "dict" else "list"
    params = _params(model)
    if params is None:
        return natural
    kinds = inspect.Parameter
    pos = [p for p in params if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)]
    required = [p for p in pos if p.default is p.empty]
    named = {p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)}
    var_pos = any(p.kind == kinds.VAR_POSITIONAL for p in params)
    var_kw = any(p.kind == kinds.VAR_KEYWORD for p in params)
    keys = spec.batch_keys()
    m = len(spec.keys)
    if len(keys) >= 2 and set(keys) <= named and {p.name for p in required} <= set(keys):
        if len(set(keys)) == len(keys):
            return "keywords"
    if not pos and var_kw and not var_pos:
        _check_batch_names(spec)
        return "keywords"
    if m >= 2 and len(required) == m and not var_pos:
        return "positional"
    if len(required) == 1 or (not required and pos and not var_pos):
        if natural == "dict":  # one merged batch: clashing names would overwrite each other
            _check_batch_names(spec)
        return natural
    fn = getattr(model, "forward", model)
    sig = f"{getattr(fn, '__qualname__', type(model).__name__)}{inspect.signature(fn)}"
    raise ModelCallError(f"cannot tell from {sig} how to call the model with {m} modalities; {_options(spec)}")


def _value(v: Any) -> Any:
    return v.value() if isinstance(v, Group) else v


def batch_of(values: Sequence[Any], spec: InputSpec) -> dict:
    """The merged batch: dict groups spread under their keys, other modalities under their name."""
    batch: dict = {}
    for key, v in zip(spec.keys, values):
        if isinstance(v, Group) and v.keys is not None:
            batch.update(zip(v.keys, v.leaves))
        else:
            batch[key] = _value(v)
    return batch


def arguments(call: str, values: Sequence[Any], spec: InputSpec) -> tuple[tuple, dict]:
    """``(args, kwargs)`` of the model call for M backend modality values."""
    if call == "list":
        return ([_value(v) for v in values],), {}
    if call == "positional":
        return tuple(_value(v) for v in values), {}
    batch = batch_of(values, spec)
    if call == "keywords":
        return (), batch
    return (batch,), {}


def describe(call: str, spec: InputSpec) -> str:
    """The call as text, e.g. ``model(input_ids=..., attention_mask=..., pixel_values=...)``."""
    if call == "list":
        return f"model([{', '.join(spec.keys)}])"
    if call == "positional":
        return f"model({', '.join(spec.keys)})"
    inner = ", ".join(f"{k}=..." if call == "keywords" else f"{k!r}: ..." for k in spec.batch_keys())
    return f"model({inner})" if call == "keywords" else f"model({{{inner}}})"


def _integer_leaves(values: Sequence[Any], spec: InputSpec) -> list[str]:
    out = []
    for key, v in zip(spec.keys, values):
        members = zip(v.keys or range(len(v.leaves)), v.leaves) if isinstance(v, Group) else [(None, v)]
        for sub, leaf in members:
            dtype = getattr(leaf, "dtype", None)
            floating = leaf.is_floating_point() if hasattr(leaf, "is_floating_point") else np.issubdtype(dtype, np.floating)
            if not floating:
                name = repr(key) if sub is None else f"{key!r}[{sub!r}]"
                out.append(f"modality {name} is {str(dtype).replace('torch.', '')}")
    return out


def _float_leaves(values: Sequence[Any], spec: InputSpec) -> list[str]:
    """The floating arrays that hold whole numbers only (token ids stored as floats)."""
    out = []
    for key, v in zip(spec.keys, values):
        members = zip(v.keys or range(len(v.leaves)), v.leaves) if isinstance(v, Group) else [(None, v)]
        for sub, leaf in members:
            a = leaf.detach().cpu().numpy() if hasattr(leaf, "detach") else np.asarray(leaf)
            if np.issubdtype(a.dtype, np.floating) and a.size and np.all(a == np.round(a)):
                name = repr(key) if sub is None else f"{key!r}[{sub!r}]"
                out.append(f"modality {name} is {str(leaf.dtype).replace('torch.', '')} holding whole numbers")
    return out


def with_context(exc: BaseException, text: str) -> BaseException:
    """The model's own error, of its own type, with ``text`` (where it happened) as its
    message; the original when its type cannot be built from one message (then noted)."""
    try:
        new = type(exc)(text)
    except Exception:  # noqa: BLE001 - an exception type with its own constructor
        if hasattr(exc, "add_note"):
            exc.add_note(text)
        return exc
    return new


def raise_with_context(exc: BaseException, text: str) -> None:
    """Raise :func:`with_context` of ``exc`` (chained to it); our own errors pass unchanged."""
    from ..maths.errors import InputError

    if isinstance(exc, (ModelCallError, InputError)):
        raise exc
    new = with_context(exc, text)
    if new is exc:
        raise exc
    raise new from exc


def _numpy_hint(kind: str, lower: str) -> str:
    if kind == "callable" and "tensor" in lower and ("numpy" in lower or "ndarray" in lower):
        return (" A plain function receives numpy arrays: convert inside it (torch.as_tensor(x)) or pass "
                "the torch.nn.Module itself, which receives tensors on its device.")
    return ""


def call_error(exc: BaseException, call: str, values: Sequence[Any], spec: InputSpec,
               works: Sequence[str] = (), kind: str = "torch") -> BaseException:
    """What the first failed call of a model becomes: a :class:`ModelCallError` naming the
    convention that works when another one does (``works``); an ``InputError`` when an
    integer modality reaches a float model; else the model's own error, of its own type,
    saying how it was called."""
    from ..maths.errors import InputError

    text = f"{type(exc).__name__}: {exc}"
    how = describe(call, spec)
    if works:
        return ModelCallError(
            f"calling the model as {how} failed with {text}. It runs when called as {describe(works[0], spec)}: "
            f"pass call={works[0]!r}"
        )
    lower = str(exc).lower()
    ints = _integer_leaves(values, spec)
    floats = _float_leaves(values, spec)
    wanted, _, got = lower.partition("but got")
    if floats and ("indices" in lower or ("long" in wanted and "float" in got)):  # e.g. an embedding of float ids
        return InputError(
            f"calling the model as {how} failed with {text}. {'; '.join(floats)}: the model wants integers "
            "there (token ids index an embedding). Cast it, e.g. ids.astype('int64') or ids.long(); integer "
            "arrays are passed unchanged."
        )
    if ints and ("dtype" in lower or "scalar type" in lower or "expected" in lower and "long" in lower):
        return InputError(
            f"calling the model as {how} failed with {text}. {'; '.join(ints)}: integer arrays are passed "
            "unchanged (token ids and masks stay integer). If it holds numeric features for a float model, "
            "cast it, e.g. x.astype('float32') or x.float()."
        )
    return with_context(exc, f"{exc} (the model's own error on its first call, called as {how})"
                             f"{_numpy_hint(kind, lower)}")
