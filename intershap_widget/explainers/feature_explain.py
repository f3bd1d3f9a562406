"""``explain_features()``: modality i's Shapley value and its interactions φ_ij shared
out over i's features (columns, patches, tokens), exactly defined so that the parts add
up to the modality level of the same run (definitions: :mod:`intershap_widget.maths.features`).

How: modality i is split into its G features' parts (:mod:`.feature_maps`) and the model
is explained over the *joint* players (the M − 1 other modalities, then the G parts)
through :func:`~.exact.explain` itself: the same checks, maskers (one background row for
every absent part of a model row), probe, batches, shards, progress bar, checkpoints and
Dask workers. :class:`~.split_adapter.SplitAdapter` puts modality i back together before
each model call. Exact: every v(S, T), N·(2**(M−1+G) − 2)·K + N + K model rows (the
expectation masker), for M − 1 + G ≤ 16. Sampled (``n_permutations=``, or automatically
beyond): paired permutations of the features, the same for every S and every sample,
with standard errors (:mod:`intershap_widget.maths.feature_sampling`).
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from ..maths.errors import InputError
from ..maths import games
from ..maths.diagnostics import CancellationWarning, warn_if_degenerate
from ..maths.feature_result import FeatureResult
from ..maths.features import feature_parts, from_joint_values, modality_values
from ..maths.result import InteractionResult
from .adapters import as_model
from .checks import check_count, validate_call
from .exact import explain
from .degenerate import DegenerateScoreWarning, warn_degenerate
from .factorised import Factorised
from .feature_words import explain_words, is_per_sample
from .feature_maps import Assembly, FeatureMap, resolve_features, split_modality
from .frames import prepare as prepare_frames, uses_frames
from .inputs import Group, spec_of
from .references import ImageReference
from .split_adapter import JointRandomMasker, SplitAdapter, joint_order

__all__ = ["explain_features", "DEFAULT_PERMUTATIONS"]

#: permutations (antithetic pairs counted twice) of the sampled path when not given
DEFAULT_PERMUTATIONS = 32


def _modality_index(modality: Any, names: list[str]) -> int:
    if isinstance(modality, (int, np.integer)) and not isinstance(modality, bool):
        if not 0 <= int(modality) < len(names):
            raise InputError(f"modality={modality} is out of range: X has {len(names)} modalities {names}")
        return int(modality)
    if str(modality) in names:
        return names.index(str(modality))
    raise InputError(f"modality={modality!r} is not one of the modalities {names}; pass a name or an index")


def _columns(X: Any, i: int) -> list[str] | None:
    raw = list(X.values())[i] if isinstance(X, Mapping) else X[i]
    cols = getattr(raw, "columns", None)
    return None if cols is None else [str(c) for c in cols]


def _samples(samples: Any, n: int) -> np.ndarray:
    if samples is None:
        return np.arange(n)
    idx = np.asarray(samples)
    if idx.dtype == bool:
        idx = np.flatnonzero(idx) if idx.shape == (n,) else idx
    if idx.ndim != 1 or idx.dtype.kind not in "iu" or idx.size == 0 or idx.min() < -n or idx.max() >= n:
        raise InputError(f"samples must be row indices (or a bool mask) of X's {n} rows, got {samples!r}")
    return idx % n


def _user_form(x: Any) -> Any:
    return x.value() if isinstance(x, Group) else x


def joint_inputs(xs: list, i: int, fmap: FeatureMap) -> list:
    """The joint players' inputs: the other modalities, then modality i's G parts."""
    return [_user_form(xs[k]) for k in joint_order(len(xs), i)] + split_modality(xs[i], fmap)


def joint_baseline(baseline: Any, names: list[str], i: int, fmap: FeatureMap) -> Any:
    """``baseline=`` of ``explain`` for the joint players: modality i's reference serves each
    of its parts (elementwise references only; an array is split like the modality)."""
    if isinstance(baseline, str):
        return baseline
    m = len(names)
    if isinstance(baseline, Mapping):
        specs = [baseline.get(n, "mean") for n in names]
    elif isinstance(baseline, (list, tuple)) and len(baseline) == m:
        specs = list(baseline)
    else:
        return baseline  # explain's own check reports it
    own = specs[i]
    if isinstance(own, ImageReference) and own.kind == "blur":
        raise InputError("baseline: a blurred reference mixes neighbouring pixels across features; use "
                         "ImageReference('mean') or 'constant' for explain_features")
    if hasattr(own, "shape") or isinstance(own, (Mapping, tuple)):
        as_group = isinstance(own, (Mapping, tuple))
        parts = split_modality(_as_group(own, as_group), fmap) if as_group else split_modality(np.asarray(own)[None], fmap)
        own_parts = [_first_row(p) for p in parts]
    else:
        own_parts = [own] * fmap.n_features
    return [specs[k] for k in joint_order(m, i)] + own_parts


def _as_group(own: Any, as_group: bool) -> Group:
    values = list(own.values()) if isinstance(own, Mapping) else list(own)
    keys = list(own.keys()) if isinstance(own, Mapping) else None
    return Group([np.asarray(v)[None] for v in values], keys)


def _first_row(part: Any) -> Any:
    if isinstance(part, dict):
        return {k: v[0] for k, v in part.items()}
    if isinstance(part, tuple):
        return tuple(v[0] for v in part)
    return part[0]


def _cost(n: int, joint: int, options: dict, n_bg: int) -> str:
    masking = options.get("masking", "expectation")
    if isinstance(masking, str) and masking == "expectation":
        k = min(int(options.get("n_background", 100)), n_bg)
        rows = n * ((1 << joint) - 2) * k + n + k
        return f"{rows:,} model rows (N·(2**{joint} − 2)·K + N + K, N={n}, K={k})"
    if isinstance(masking, str) and masking == "baseline":
        return f"about {n * (1 << joint):,} model rows (N·2**{joint}, one reference row per coalition)"
    return f"{(1 << joint) - 2} coalitions per sample for N={n}, times the masker's rows"


def explain_features(model: Any, X: Any, background: Any = None, *, modality: int | str,
                     features: Any = None, patch: Any = None, samples: Any = None,
                     n_permutations: int | None = None, **options: Any) -> FeatureResult:
    """Feature-level parts of modality ``modality``'s Shapley value and interactions.

    Parameters
    ----------
    model, X, background : as :func:`intershap_widget.explain`.
    modality : a modality name or index i.
    features : which elements of modality i form each feature (:mod:`.feature_maps`):
        None (every column of a 2-D modality, every token position of a text group),
        a dict ``{name: columns or bool mask}``, a list of bool masks of one sample's shape,
        or per-sample word ids, an int array ``(N, ...)`` (−1: special tokens, padding;
        :mod:`.feature_words`: a run per distinct map).
        Elements no feature names form the feature ``"(rest)"``.
    patch : int or ``(ph, pw)``: a grid of patches over an image's last two axes.
    samples : indices (or a bool mask) of the rows of X to explain (default all); the
        background defaults to the whole of X.
    n_permutations : sample this many feature permutations (in antithetic pairs) instead
        of every feature subset; default exact when M − 1 + G ≤ 16, else
        :data:`DEFAULT_PERMUTATIONS`. The sampled path uses expectation masking.
    **options : every option of ``explain`` (target, output, masking, n_background, seed,
        batch_size, progress, call, output_key, client, checkpoint, ...).

    Returns
    -------
    FeatureResult
        ``effect (N, G)``, ``interaction (N, M, G)`` (row j: the parts of φ_ij, row i: the
        main-effect parts), ``feature_names``, ``samples``, ``result`` (the modality-level
        result of the same run: the parts sum to ``result.shapley[:, i]`` and
        ``result.phi[:, i, :]``), ``effect_se``/``interaction_se`` when sampled.
    """
    if isinstance(model, Factorised):
        raise InputError("explain_features needs the whole model: a Factorised model's encoders see one modality "
                        "whole; pass the model that takes the raw inputs")
    if uses_frames(X, options.get("modalities")):  # pandas in, pandas out, as explain does
        model, X, background = prepare_frames(model, X, background, options.pop("modalities", None))
    chk = validate_call(X, background, modality_names=options.get("modality_names"),
                        seed=options.get("seed", 0), n_background=options.get("n_background", 100),
                        target=options.get("target", "predicted"), output=options.get("output", "auto"),
                        allow_nonfinite=options.get("allow_nonfinite", False))
    names, m = chk.names, len(chk.xs)
    i = _modality_index(modality, names)
    idx = _samples(samples, chk.xs[0].shape[0])
    if is_per_sample(features, chk.xs[0].shape[0], tuple(chk.xs[i].shape[1:])):  # words: a run per map
        return explain_words(explain_features, model, X, background, features, idx,
                             dict(options, modality=i, n_permutations=n_permutations))
    fmap = resolve_features(chk.xs[i], features, patch, _columns(X, i))
    g, joint = fmap.n_features, m - 1 + fmap.n_features
    if n_permutations is None and joint > games.MAX_EXACT_MODALITIES:
        n_permutations = DEFAULT_PERMUTATIONS
    inner = as_model(model, options.pop("call", None), options.pop("output_key", None),
                     options.get("output", "auto"), inputs=spec_of(X, chk.xs, names))
    adapter = SplitAdapter(inner, i, m, Assembly.of(chk.xs[i], fmap))
    xs = [x[idx] for x in chk.xs]
    joint_x, joint_bg = joint_inputs(xs, i, fmap), joint_inputs(chk.background, i, fmap)
    joint_names = [names[k] for k in joint_order(m, i)] + [f"{names[i]}: {f}" for f in fmap.names]
    if options.get("labels") is not None:
        options["labels"] = np.asarray(options["labels"])[idx]
    options["modality_names"] = joint_names
    if isinstance(options.get("masking"), str) and options["masking"] == "random":  # explain's draws for v(S)
        options["masking"] = JointRandomMasker(options.get("n_draws", 10), chk.seed, i, m, fmap.n_features)
    if "baseline" in options:
        options["baseline"] = joint_baseline(options["baseline"], names, i, fmap)
    common = dict(effect=None, interaction=None, feature_names=list(fmap.names), modality=i, modality_names=names,
                  samples=idx, result=None, labels=fmap.labels, kind=fmap.kind, grid=fmap.grid)
    if n_permutations is not None:
        from .feature_sampled import sampled_parts

        return sampled_parts(adapter, joint_x, joint_bg, m, i, g, check_count(n_permutations, "n_permutations", 4),
                             options, common)
    if options.get("progress", True):
        print(f"explain_features: {g} features of {names[i]!r} and {m - 1} other modalities: "
              + _cost(len(idx), joint, options, chk.background[0].shape[0]))
    with warnings.catch_warnings():  # the joint game's scores are not the user's: warn on the modality level
        warnings.simplefilter("ignore", DegenerateScoreWarning)
        warnings.simplefilter("ignore", CancellationWarning)
        joint_res = explain(adapter, joint_x, joint_bg, **options)
    v = from_joint_values(joint_res.coalition_values, m, g)
    effect, parts = feature_parts(v, i, m)
    result = modality_result(joint_res, v, i, m, g, names, idx)
    common.update(effect=effect, interaction=parts, coalition_values=v, result=result)
    if "degenerate_global" in result.settings:
        warn_degenerate(result.settings["degenerate_global"], float(result.intershap), float(result.intershap_local_mean))
    warn_if_degenerate(result)
    return FeatureResult(**common, settings={**joint_res.settings, "path": "exact", "features": g})


def modality_result(joint_res: InteractionResult, v: np.ndarray, i: int, m: int, g: int, names: Sequence[str],
                    idx: np.ndarray) -> InteractionResult:
    """The modality-level result of the joint run: v(S') from v(S, ∅) and v(S, G),
    every class kept for ``target="all"``."""
    cv = joint_res.class_values
    if cv is not None:
        cv = np.stack([modality_values(from_joint_values(cv[:, :, c], m, g), i) for c in range(cv.shape[2])],
                      axis=2)
    return InteractionResult(modality_values(v, i), modality_names=names, target=joint_res.target,
                             target_class=joint_res.target_class, class_values=cv,
                             class_names=joint_res.class_names, predicted_class=joint_res.predicted_class,
                             labels=joint_res.labels, sample_index=idx,
                             settings={**joint_res.settings, "feature_level_of": names[i]})
