"""Start a run: probe the model, settle the batch size, plan the shards, open the
checkpoint and return the :class:`~.engine.Engine` that computes the passes, in this
process (:class:`~.engine.LocalEngine`) or on Dask workers
(:class:`~.distributed.DaskEngine`, when ``place.client`` is given)."""

from __future__ import annotations

from typing import Any, Callable

from .adapters import as_model
from .checkpoint import Checkpoint, model_field, open_checkpoint
from .engine import LocalEngine
from .maskers import Masker
from .placement import Placement
from .probe import probe_model
from .run import Run, auto_batch_size
from .shards import plan_shards
from .started import Launched, calibrate

__all__ = ["Launched", "launch", "store_opener", "calibrate"]


def store_opener(place: Placement, model: Any, xs: list, bg: list, target: Any, seed: int, baseline: Any = None,
                 precision: dict | None = None, extra: dict | None = None, call: Any = None,
                 output_key: Any = None) -> Callable[..., Any]:
    """``(output, step, shards, describe, identity=None) -> Checkpoint or None`` for this
    run (``identity``: the model's, when taken elsewhere, e.g. on a worker); ``extra``
    settings (e.g. a sampler's budget) join the manifest, with how the model is called
    and what is read from its output."""
    extra = {**(extra or {}), "call": call, "output_key": output_key}

    key = getattr(place, "checkpoint_key", None)
    # the model's identity before its first call (see .identity); a factory's comes from a worker
    taken = model_field(model, None, key) if place.checkpoint is not None and model is not None else None

    def open_store(output: str, step: int, shards: list, describe: dict, identity: Any = None) -> Any:
        if place.checkpoint is None:
            return None
        return open_checkpoint(place.checkpoint, model if model is not None else place.model_factory, xs, bg,
                               output=output, target=target, step=step, shards=shards,
                               describe={**describe, **extra}, seed=seed, baseline=baseline,
                               precision=precision, identity=identity if identity is not None else taken,
                               key=key, recheck=identity is None and taken is not None)

    return open_store


def launch(place: Placement, model: Any, masker: Masker, xs_in: list, bg_in: list, names: list, spec: Any, bar,
           *, n_coalitions: int, call: Any, output_key: Any, output: str, target: Any, class_names: Any,
           batch_size: int | None, open_store: Callable[..., Any],
           allow_nondeterministic: bool = False) -> Launched:
    """Probe and plan the run of ``n_coalitions`` coalitions per sample; the engine
    that computes it (see the module docstring). ``allow_nondeterministic``: a model
    that does not repeat itself on the probe warns instead of failing (:mod:`.determinism`)."""
    stored = Checkpoint.stored_manifest(place.checkpoint)
    if batch_size is None and stored is not None:  # resume at the batch size the run was timed at
        batch_size = stored["settings"].get("batch_size")
    if place.remote:
        from .distributed import launch_on_dask

        return launch_on_dask(place, model, masker, xs_in, bg_in, names, spec, bar, n_coalitions=n_coalitions,
                              call=call, output_key=output_key, output=output, target=target,
                              class_names=class_names, batch_size=batch_size, open_store=open_store,
                              allow_nondeterministic=allow_nondeterministic)
    adapter = as_model(model, call, output_key, output, inputs=spec)
    if output == "auto":
        output = adapter.default_output()
    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        masker.bind(adapter, [adapter.to_backend(b) for b in bg_in])
        output, n_cols = probe_model(adapter, masker, xs, output, target, class_names, allow_nondeterministic)
        step = int(batch_size) if batch_size is not None else auto_batch_size(xs)
        run = Run(adapter, masker, xs, output, step, names=names, n_cols=n_cols)
        spent = 0 if batch_size is not None else calibrate(run, masker, xs[0].shape[0] * n_coalitions)
    shards = plan_shards(xs[0].shape[0], n_coalitions * masker.n_rows + 1, place.shard_size)
    store = open_store(output, run.batch_size, shards, masker.describe())
    engine = LocalEngine(run, shards, target, bar, store)
    return Launched(engine, output, n_cols, run.batch_size, spent, adapter.output_dtype)

