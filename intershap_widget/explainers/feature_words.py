"""Per-sample features (words): ``explain_features(features=word_ids)`` with an int array
``(N, ...)`` of one sample's shape per sample (e.g. a tokenizer's ``word_ids()``: the word
of each token, −1 for special tokens and padding). Word w of sample a is the feature
``"word w"``; the elements labelled −1 form ``"(rest)"``.

Samples whose maps are the same share one run; every other map is its own run of
:func:`~.feature_explain.explain_features` (a run per sentence, each with its own probe
and v(∅)). A sample with fewer words has 0 for the words it lacks: a feature with no
elements changes nothing (a null player).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..maths.errors import InputError
from ..maths.feature_result import FeatureResult
from ..maths.result import InteractionResult

__all__ = ["is_per_sample", "explain_words"]


def is_per_sample(features: Any, n: int, shape: tuple) -> bool:
    """Whether ``features`` labels every sample's elements: an int array ``(N,) + shape``."""
    return (isinstance(features, np.ndarray) and features.dtype.kind in "iu"
            and tuple(features.shape) == (int(n),) + tuple(shape))


def _stitch(n: int, m: int, g: int, runs: list, with_se: bool) -> tuple:
    effect, parts = np.zeros((n, g)), np.zeros((n, m, g))
    eff_se = np.zeros((n, g)) if with_se else None
    part_se = np.zeros((n, m, g)) if with_se else None
    for pos, cols, fr in runs:
        effect[np.ix_(pos, cols)] = fr.effect
        parts[np.ix_(pos, np.arange(m), cols)] = fr.interaction
        if with_se:
            eff_se[np.ix_(pos, cols)] = fr.effect_se
            part_se[np.ix_(pos, np.arange(m), cols)] = fr.interaction_se
    return effect, parts, eff_se, part_se


def _result(n: int, runs: list, idx: np.ndarray) -> InteractionResult:
    first = runs[0][2].result
    values = np.empty((n, first.coalition_values.shape[1]))
    target_class = np.zeros(n, dtype=np.int64)
    predicted = None if first.predicted_class is None else np.zeros(n, dtype=np.int64)
    labels = None if first.labels is None else np.empty(n, dtype=first.labels.dtype)
    cv = None if first.class_values is None else np.empty((n,) + first.class_values.shape[1:])
    for pos, _, fr in runs:
        r = fr.result
        values[pos] = r.coalition_values
        target_class[pos] = r.target_class
        if predicted is not None:
            predicted[pos] = r.predicted_class
        if labels is not None:
            labels[pos] = r.labels
        if cv is not None:
            cv[pos] = r.class_values
    return InteractionResult(values, modality_names=first.modality_names, target=first.target,
                             target_class=target_class, class_values=cv, class_names=first.class_names,
                             predicted_class=predicted, labels=labels, sample_index=idx,
                             settings={**first.settings, "feature_runs": len(runs)})


def explain_words(run: Callable[..., FeatureResult], model: Any, X: Any, background: Any, word_ids: np.ndarray,
                  idx: np.ndarray, options: dict) -> FeatureResult:
    """One :class:`FeatureResult` over samples ``idx`` whose features are each sample's
    words (``word_ids`` ``(N, ...)``); ``run`` is ``explain_features``."""
    ids = np.asarray(word_ids)[idx]
    n_words = int(ids.max()) + 1
    if n_words < 1:
        raise InputError("features: the word ids hold no word (every entry is −1)")
    rows, inverse = np.unique(ids.reshape(len(idx), -1), axis=0, return_inverse=True)
    runs = []
    for r, row in enumerate(rows):
        row = row.reshape(ids.shape[1:])
        pos = np.flatnonzero(inverse.ravel() == r)
        words = [int(w) for w in np.unique(row) if w >= 0]
        if len(words) + int((row < 0).any()) < 2:
            raise InputError(f"features: sample {int(idx[pos[0]])} has {len(words)} word(s); at least 2 features "
                             "are needed to share a modality out")
        fr = run(model, X, background, samples=idx[pos], features={f"word {w}": row == w for w in words},
                 **options)
        cols = words + ([n_words] if fr.feature_names[-1] == "(rest)" else [])
        runs.append((pos, np.asarray(cols), fr))
    g, m = n_words + 1, len(runs[0][2].modality_names)
    sampled = runs[0][2].effect_se is not None
    effect, parts, eff_se, part_se = _stitch(len(idx), m, g, runs, sampled)
    first = runs[0][2]
    settings = {**first.settings, "feature_runs": len(runs), "words_per_sample": (ids.reshape(len(idx), -1).max(1) + 1).tolist()}
    if "model_rows" in first.settings:
        settings["model_rows"] = int(sum(fr.settings.get("model_rows", 0) for _, _, fr in runs))
    return FeatureResult(effect, parts, [f"word {w}" for w in range(n_words)] + ["(rest)"], first.modality,
                         first.modality_names, idx, _result(len(idx), runs, idx), eff_se, part_se,
                         labels=ids, kind="tokens", settings=settings)
