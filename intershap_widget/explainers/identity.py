"""What identifies a model, a function or a setting in a checkpoint's manifest: everything
that decides the outputs, as a nested dict of readable values and SHA-256 digests, so
that a mismatch can name the field that differs (``model.attributes.temperature: 0.5 ->
0.7``).

* A torch module: its classes' code (every submodule's class and its bases outside
  torch, method by method), its state dict, every buffer (non-persistent ones too), and
  every other attribute of every submodule (``temperature``, a lookup table, forward
  hooks), by name. Its ``training`` flag is not part of it: runs are in eval mode.
* A function or lambda: its code (bytecode, constants, names, nested functions), its
  defaults, the values its closure holds and the globals it reads, each by name
  (a function it calls is identified the same way, a module by its name).
* Any other callable object: its class's code and its attributes, by name; a
  scikit-learn estimator or other value: the SHA-256 of its pickle.
* Arrays and tensors: dtype, shape and bytes.

It is taken when the run starts, before the model's first call (a ``model_factory``'s
model on the first worker, as built). A value that can be hashed in none of these ways
makes the identity unknown (:class:`Unidentifiable`): the checkpoint then refuses to
start unless ``checkpoint_key=`` vouches for the model.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import types
from typing import Any

import numpy as np

from .adapters import _is_tensor

__all__ = ["Unidentifiable", "model_identity", "value_identity", "digest"]

#: attributes of a torch module that are torch's bookkeeping, not the model's
_TORCH_INTERNALS = {"training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_modules",
                    "_backward_pre_hooks", "_backward_hooks", "_is_full_backward_hook", "_forward_hooks_with_kwargs",
                    "_forward_hooks_always_called", "_forward_pre_hooks_with_kwargs", "_state_dict_hooks",
                    "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
                    "_compiled_call_impl", "call_super_init", "dump_patches"}
#: libraries whose code is identified by their version (recorded in the manifest), not hashed
_VERSIONED = ("torch", "numpy", "sklearn", "scipy", "transformers", "builtins", "intershap_widget")
_MAX_DEPTH = 4


class Unidentifiable(ValueError):
    """A part of the model (or a setting) that cannot be hashed; the message names it."""


def digest(data: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``data``."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _array(a: Any) -> str:
    arr = np.ascontiguousarray(a.detach().cpu().numpy() if _is_tensor(a) else np.asarray(a))
    h = hashlib.sha256(f"{arr.dtype.str}{arr.shape};".encode())
    h.update(arr.view(np.uint8).reshape(-1).data if arr.size else b"")
    return "array:" + h.hexdigest()


def _versioned(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in _VERSIONED


def _code(code: types.CodeType) -> str:
    """Bytecode, constants (nested code too) and names: not the file or line numbers."""
    consts = [_code(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts]
    return digest([code.co_code.hex(), consts, list(code.co_names), code.co_argcount, code.co_kwonlyargcount])


def _names(code: types.CodeType) -> set[str]:
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _names(c)
    return out


def _function(fn: types.FunctionType, where: str, depth: int, seen: set) -> dict:
    out: dict[str, Any] = {"name": f"{fn.__module__}.{fn.__qualname__}", "code": _code(fn.__code__)}
    if fn.__defaults__ or fn.__kwdefaults__:
        out["defaults"] = value_identity([fn.__defaults__, fn.__kwdefaults__], f"{where} defaults", depth, seen)
    if fn.__closure__:
        cells = {}
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                held = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            cells[name] = value_identity(held, f"{where}: the variable {name!r} it closes over", depth, seen)
        out["closure"] = cells
    read = sorted(n for n in _names(fn.__code__) if n in fn.__globals__)
    if read:
        out["globals"] = {n: value_identity(fn.__globals__[n], f"{where}: the global {n!r} it reads", depth, seen)
                          for n in read}
    return out


def _class_code(cls: type) -> str:
    """The code of a class and its bases outside the versioned libraries, method by method."""
    parts = []
    for base in cls.__mro__:
        if base is object or _versioned(base):
            continue
        for name, member in sorted(vars(base).items()):
            fn = getattr(member, "__func__", member)
            if isinstance(fn, types.FunctionType):
                parts.append([base.__qualname__, name, _code(fn.__code__)])
    return digest(parts)


def _attributes(obj: Any, skip: set, where: str, depth: int, seen: set) -> dict:
    return {k: value_identity(v, f"{where}.{k}", depth, seen) for k, v in sorted(vars(obj).items())
            if k not in skip and not (k.endswith("_hooks") and not v)}


def _torch_identity(model: Any, where: str, depth: int, seen: set) -> dict:
    state = hashlib.sha256()
    for key, t in model.state_dict().items():
        state.update(key.encode() + _array(t).encode() if _is_tensor(t) else key.encode() + repr(t).encode())
    buffers = digest([[k, _array(b)] for k, b in model.named_buffers()])
    attributes, code = {}, {}
    for path, sub in model.named_modules():
        name = path or "(model)"
        code[name] = _class_code(type(sub))
        found = _attributes(sub, _TORCH_INTERNALS, f"{where} attribute {name}", depth, seen)
        attributes.update({f"{path}.{k}" if path else k: v for k, v in found.items()})
    return {"kind": "torch", "class": f"{type(model).__module__}.{type(model).__qualname__}",
            "code": digest(code), "state": state.hexdigest(), "buffers": buffers, "attributes": attributes}


def _pickled(obj: Any, where: str) -> str:
    try:
        return "pickle:" + hashlib.sha256(pickle.dumps(obj, protocol=4)).hexdigest()
    except Exception as err:  # noqa: BLE001 - any failure means: no identity
        raise Unidentifiable(f"{where} is a {type(obj).__name__} that can be hashed neither by its parts nor by "
                             f"pickling ({type(err).__name__}: {err})") from None


def value_identity(value: Any, where: str = "the value", depth: int = 0, seen: set | None = None) -> Any:
    """A readable value or a digest of ``value`` (see the module docstring)."""
    seen = set() if seen is None else seen
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if len(value) <= 80 else "str:" + hashlib.sha256(value.encode()).hexdigest()
    if isinstance(value, (np.ndarray, np.generic)) or _is_tensor(value):
        return _array(value)
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    if isinstance(value, type):
        return f"class:{value.__module__}.{value.__qualname__}" + ("" if _versioned(value) else ":" + _class_code(value))
    if depth > _MAX_DEPTH or id(value) in seen:
        return f"ref:{type(value).__qualname__}"
    seen = seen | {id(value)}
    if isinstance(value, (list, tuple)):
        return digest([value_identity(v, where, depth + 1, seen) for v in value])
    if isinstance(value, (set, frozenset)):
        return digest(sorted(str(value_identity(v, where, depth + 1, seen)) for v in value))
    if isinstance(value, dict):
        return digest([[str(k), value_identity(v, where, depth + 1, seen)] for k, v in value.items()])
    if isinstance(value, types.FunctionType):
        return digest(_function(value, where, depth + 1, seen))
    if isinstance(value, (types.MethodType, types.BuiltinFunctionType)):
        owner = getattr(value, "__self__", None)
        own = None if owner is None or isinstance(owner, types.ModuleType) else value_identity(owner, where, depth + 1, seen)
        return digest([getattr(value, "__qualname__", repr(value)), own])
    return digest(model_identity(value, where, depth + 1, seen))


def model_identity(model: Any, where: str = "the model", depth: int = 0, seen: set | None = None) -> dict:
    """The identity of a model (see the module docstring) as a JSON-able dict; raises
    :class:`Unidentifiable` naming the part that cannot be hashed."""
    seen = set() if seen is None else seen
    inner = getattr(model, "model", None) if type(model).__name__ == "Concatenated" else None
    if inner is not None:
        return {"wrapper": "concatenated", **model_identity(inner, where, depth, seen)}
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional
        torch = None
    if torch is not None and isinstance(model, torch.nn.Module):
        return _torch_identity(model, where, depth, seen | {id(model)})
    if isinstance(model, types.FunctionType):
        return {"kind": "function", **_function(model, where, depth, seen | {id(model)})}
    cls = type(model)
    if _versioned(cls) or hasattr(model, "predict") or not hasattr(model, "__dict__"):
        return {"kind": "pickle", "class": f"{cls.__module__}.{cls.__qualname__}", "pickle": _pickled(model, where)}
    return {"kind": "object", "class": f"{cls.__module__}.{cls.__qualname__}", "code": _class_code(cls),
            "attributes": _attributes(model, set(), f"{where} attribute", depth, seen | {id(model)})}
