"""Factorised models: per-modality encoders plus a fusion head (the paper's
intermediate and late fusion).

Masking a modality replaces its *input* by a background row, so its *encoding* is
replaced by that row's encoding. Each encoder therefore only has to run once per
sample and once per background row; only the head runs per (sample, coalition,
background row). :func:`encoded_inputs` encodes X and the background; the exact driver
(:func:`intershap_widget.explain`, or ``explain_factorised``) then runs itself with the head as the model and the encodings as modalities:
the coalition values are the same numbers as for the full model (to float tolerance).

Supported maskings: ``"expectation"`` (default) and ``"random"`` (the drawn rows are
indices into the background, identical after encoding), and ``"baseline"`` (the
baseline rows are built from the raw background, then encoded). A user masking
function works on raw inputs and cannot be factorised.

The driver's hook (at the top of :func:`intershap_widget.explain`)::

    if isinstance(model, Factorised):
        head, X, background, baseline = encoded_inputs(model, X, background, ...)
        return explain(head, X, background, ...)   # settings["factorised"] = True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import outputs
from .adapters import tensor_of
from .inputs import Group
from .maskers import BackgroundMasker, CallableMasker

__all__ = ["Factorised", "encode", "encoded_inputs"]


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional
        return None
    return torch


@dataclass(frozen=True)
class Factorised:
    """A model given as M per-modality encoders and a fusion head.

    encoders : M callables (or torch modules), encoder i maps modality i ``(B, ...)``
        to its encoding ``(B, ...)``. A modality that is a group of arrays (a dict or
        tuple, see :mod:`.inputs`) is passed as keywords (``enc(input_ids=..,
        attention_mask=..)``) or positionally (``enc(ids, mask)``).
    head : callable or torch module taking the list of M encodings and returning the
        outputs ``(B, C)``. With ``concat=True`` the head takes one tensor: the
        encodings flattened and concatenated along axis 1.
    batch_size : rows per encoder call.
    encoder_output : what to read from an encoder's output: None (the rule below), a
        field name, a tuple position or a callable ``fn(output) -> (B, ...)``, or a list
        of these, one per encoder. The rule: an array or tensor is the encoding; a
        ``transformers`` ``ModelOutput`` or a dict is read at ``pooler_output`` (the pooled
        embedding, what ``get_text_features`` and ``BertModel`` give) when it has one, else
        as a model output is (``.logits``, a dict's only array, a tuple's first element).

    Calling the object runs the whole model (``head(encode(xs))``), so the same object
    also works on the plain path of :func:`intershap_widget.explain`.
    """

    encoders: Sequence[Any]
    head: Any
    concat: bool = False
    batch_size: int = 4096
    encoder_output: Any = None

    def __post_init__(self) -> None:
        if len(self.encoders) < 2:
            raise ValueError(f"a factorised model needs one encoder per modality (M >= 2), got {len(self.encoders)}")
        for i, enc in enumerate(self.encoders):
            if not callable(enc):
                raise TypeError(f"encoder {i} is not callable: {type(enc).__name__}")
        if not callable(self.head):
            raise TypeError(f"the head is not callable: {type(self.head).__name__}")
        if isinstance(self.encoder_output, (list, tuple)) and len(self.encoder_output) != len(self.encoders):
            raise ValueError(f"encoder_output lists {len(self.encoder_output)} entries for {len(self.encoders)} "
                             "encoders; give one per encoder (None for the rule), or one for all")

    def output_of(self, i: int) -> Any:
        """What to read from encoder i's output (None: the rule in the class docstring)."""
        key = self.encoder_output
        return key[i] if isinstance(key, (list, tuple)) else key

    @classmethod
    def from_model(cls, model: Any, encoders: str = "encoders", head: str = "head", **kw: Any) -> "Factorised":
        """Take ``model.encoders`` (a sequence) and ``model.head`` as the factorisation."""
        if not hasattr(model, encoders) or not hasattr(model, head):
            raise AttributeError(f"{type(model).__name__} has no attributes {encoders!r} and {head!r}")
        return cls(list(getattr(model, encoders)), getattr(model, head), **kw)

    @staticmethod
    def first_layer(model: Any, dims: Sequence[int] | None = None) -> Any:
        """An early-fusion model's leading ``nn.Linear`` over the concatenated modalities,
        split into per-modality slices (:mod:`.first_layer`): ``model`` an
        ``nn.Sequential`` starting with it (or a model whose ``.head`` is one), ``dims``
        each modality's flattened width (None: read from X). Pass the result to ``explain``."""
        from .first_layer import first_layer

        return first_layer(model, dims)

    @property
    def n_modalities(self) -> int:
        return len(self.encoders)

    def head_model(self) -> Any:
        """The head as a model of a list of M arrays (what ``explain`` is given)."""
        if not self.concat:
            return self.head
        torch = _torch()
        if torch is not None and isinstance(self.head, torch.nn.Module):
            return _ConcatHead(self.head)
        head = self.head
        return lambda zs: head(np.concatenate([np.asarray(z).reshape(len(z), -1) for z in zs], axis=1))

    def __call__(self, xs: Sequence[Any]) -> Any:
        zs = encode(self, xs)
        return _call_head(self.head_model(), zs)


def _call_head(head: Any, zs: list) -> Any:
    torch = _torch()
    if torch is not None and isinstance(head, torch.nn.Module):
        params = list(head.parameters())
        dev = params[0].device if params else torch.device("cpu")
        dt = params[0].dtype if params else torch.get_default_dtype()
        with torch.inference_mode():
            return head([tensor_of(z).to(dev, dt) for z in zs])
    return head(zs)


if _torch() is not None:
    class _ConcatHead(_torch().nn.Module):
        """A head that takes one concatenated tensor, wrapped to take the list of M encodings."""

        def __init__(self, head: Any) -> None:
            super().__init__()
            self.head = head

        def forward(self, zs: list) -> Any:
            torch = _torch()
            return self.head(torch.cat([z.reshape(z.shape[0], -1) for z in zs], dim=1))


def encoding(out: Any, key: Any = None, which: str = "the encoder") -> Any:
    """The encoding ``(B, ...)`` in an encoder's output: ``key`` as for ``output_key``, or
    (None) the array itself, a ``pooler_output``, else a model output's default reading."""
    if key is None and not outputs._is_array(out):
        pooled = out.get("pooler_output") if isinstance(out, dict) else getattr(out, "pooler_output", None)
        if pooled is not None:
            return pooled
    try:
        return outputs.pick(out, key)
    except outputs.OutputError as err:
        raise outputs.OutputError(f"{which}: {err}. For an encoder, say what to read with "
                                  "Factorised(..., encoder_output=<field, position or callable>), "
                                  "one for all encoders or a list with one per encoder") from None


def _group_call(enc: Any, x: Group) -> Any:
    return enc(**x.value()) if x.keys is not None else enc(*x.leaves)


def _module_of(encoder: Any) -> Any:
    """The torch module behind an encoder: itself, or the module of a bound method
    (``clip.get_text_features``); else the encoder as given."""
    torch = _torch()
    owner = getattr(encoder, "__self__", None)
    return owner if torch is not None and isinstance(owner, torch.nn.Module) else encoder


def _run_encoder(encoder: Any, x: Any, batch_size: int, key: Any = None, which: str = "the encoder") -> Any:
    """Encoder i on all rows of x in batches, its encoding read with ``key`` (:func:`encoding`);
    torch modules (and their bound methods) in eval/inference mode (restored afterwards).
    Returns numpy for numpy encoders, a CPU-or-device tensor for torch."""
    torch = _torch()
    n = x.shape[0]
    raw = _module_of(encoder)

    def enc(*args: Any, **kw: Any) -> Any:
        return encoding(encoder(*args, **kw), key, which)

    if isinstance(x, Group):
        return _run_group_encoder(enc, x, batch_size, raw)
    if torch is not None and isinstance(raw, torch.nn.Module):
        params = list(raw.parameters())
        dev = params[0].device if params else torch.device("cpu")
        dt = params[0].dtype if params else torch.get_default_dtype()
        t = tensor_of(x)
        if t.is_floating_point():
            t = t.to(dt)
        modes = [(mod, mod.training) for mod in raw.modules()]
        raw.eval()
        try:
            with torch.inference_mode():
                out = [enc(t[i:i + batch_size].to(dev)) for i in range(0, n, batch_size)]
        finally:
            for mod, mode in modes:
                mod.training = mode
        return torch.cat(out, dim=0) if out else enc(t.to(dev))
    out = [np.asarray(enc(x[i:i + batch_size])) for i in range(0, n, batch_size)]
    return np.concatenate(out, axis=0)


def _run_group_encoder(enc: Any, x: Group, batch_size: int, module: Any) -> Any:
    """An encoder of a group of arrays (token ids + mask, ...), integer arrays kept
    (``enc`` reads the encoding; ``module`` is the encoder as given)."""
    torch = _torch()
    if torch is None or not isinstance(module, torch.nn.Module):
        return np.concatenate([np.asarray(_group_call(enc, x[i:i + batch_size])) for i in range(0, len(x), batch_size)])
    params = list(module.parameters())
    dev = params[0].device if params else torch.device("cpu")
    dt = params[0].dtype if params else torch.get_default_dtype()

    def tensor(a: Any) -> Any:
        t = tensor_of(a)
        return (t.to(dt) if t.is_floating_point() else t).to(dev)

    modes = [(mod, mod.training) for mod in module.modules()]
    module.eval()
    try:
        with torch.inference_mode():
            out = [_group_call(enc, x[i:i + batch_size].map(tensor)) for i in range(0, len(x), batch_size)]
    finally:
        for mod, mode in modes:
            mod.training = mode
    return torch.cat(out, dim=0)


def encode(model: Factorised, X: Sequence[Any]) -> list:
    """Encode each modality once: M arrays ``(N, ...)`` → M encodings ``(N, ...)``."""
    if len(X) != model.n_modalities:
        raise ValueError(f"X has {len(X)} modalities but the model has {model.n_modalities} encoders")
    counts = {x.shape[0] for x in X}
    if len(counts) != 1:
        raise ValueError(f"every modality needs the same number of rows; got {[x.shape[0] for x in X]}")
    return [_run_encoder(enc, x, model.batch_size, model.output_of(i), f"encoder {i}")
            for i, (enc, x) in enumerate(zip(model.encoders, X))]


def _raw_baseline(background: Sequence[Any], baseline: str) -> list:
    torch = _torch()
    rows = []
    for b in background:
        if torch is not None and torch.is_tensor(b):
            rows.append(b.mean(0, keepdim=True) if baseline == "mean" else b[:1] * 0)
        else:
            b = np.asarray(b)
            rows.append(b.mean(axis=0, keepdims=True) if baseline == "mean" else np.zeros_like(b[:1]))
    return rows


def encoded_inputs(model: Factorised, X: list, background: Sequence[Any] | None, masking: Any,
                   n_background: int, baseline: Any, seed: int) -> tuple:
    """What the exact driver explains for a factorised model: ``(head, Z, Z_background,
    baseline)``, the encodings ``(N, d_i)`` of X and ``(K, d_i)`` of the background rows
    the masker keeps (the same seeded choice as unfactorised), and the baseline encoded."""
    if callable(masking) or isinstance(masking, CallableMasker):
        raise ValueError(
            "a masking function works on raw inputs and cannot be factorised; use masking="
            "'expectation', 'random' or 'baseline', or explain the model unfactorised"
        )
    bg = X if background is None else list(background)
    if masking == "baseline" and (any(isinstance(b, Group) for b in bg) or not (
            isinstance(baseline, str) or all(hasattr(r, "shape") for r in baseline))):
        raise ValueError(
            "the factorised path encodes one fixed baseline row per plain modality; for per-modality "
            "references (isw.TokenReference, isw.ImageReference, a dict) or grouped modalities use "
            "masking='expectation' (the background rows are encoded), or explain the model unfactorised"
        )
    if masking == "baseline":  # the rows come from the raw background before any encoder runs
        rows = _raw_baseline(bg, baseline) if isinstance(baseline, str) else [np.asarray(b)[None] for b in baseline]
        z_bg = encode(model, rows)
        return model.head_model(), encode(model, X), z_bg, [z[0] for z in z_bg]
    # each row goes through its encoder once: an encoder that writes into its input
    # (x.mul_(2)) must not see the same copy of X twice, as X and as the background
    z_x = encode(model, X)
    # with "expectation", only the rows explain() would keep (the same seeded choice)
    keep = BackgroundMasker(n_background=n_background, seed=seed).kept_background if masking == "expectation" else list
    z_bg = keep(z_x) if background is None else encode(model, keep(list(background)))
    return model.head_model(), z_x, z_bg, baseline
