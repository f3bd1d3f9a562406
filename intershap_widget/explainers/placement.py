"""Where and how a run is placed: a Dask ``client``, a ``checkpoint`` folder, the
``shard_size``, a ``model_factory`` and a ``device`` for the workers. Checked before any
model call (:func:`check_placement`), so a wrong argument fails at once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from ..maths.errors import InputError
from .checks import check_count

__all__ = ["Placement", "check_placement"]


@dataclass(frozen=True)
class Placement:
    """The checked scale-out arguments of :func:`intershap_widget.explain`."""

    client: Any = None
    checkpoint: str | None = None
    shard_size: int | None = None
    model_factory: Callable[[], Any] | None = None
    device: str | Callable[[str], str] | None = None
    checkpoint_key: str | None = None

    @property
    def remote(self) -> bool:
        """True when the run goes to Dask workers."""
        return self.client is not None


def check_placement(model: Any, client: Any = None, checkpoint: Any = None, shard_size: Any = None,
                    model_factory: Any = None, device: Any = None, checkpoint_key: Any = None) -> Placement:
    """A :class:`Placement`, or a clear error naming the argument to change."""
    if client is not None and not (hasattr(client, "submit") and hasattr(client, "scatter")):
        raise TypeError(f"client must be a dask.distributed.Client, got {type(client).__name__} "
                        "(pip install 'intershap-widget[distributed]'; see docs/scale.md)")
    if (model_factory is not None or device is not None) and client is None:
        raise ValueError("model_factory= and device= place the model on Dask workers: pass client= as well "
                         "(without a cluster, build the model and move it to its device yourself)")
    if model_factory is not None and not callable(model_factory):
        raise TypeError(f"model_factory must be a function of no arguments that builds the model, "
                        f"got {type(model_factory).__name__}")
    if model is None and model_factory is None:
        raise ValueError("pass a model, or model_factory= with client= (a function that builds it on each worker)")
    if model is not None and model_factory is not None:
        raise ValueError("pass either a model or model_factory=, not both (the factory builds the model on "
                         "each worker; pass model=None)")
    if device is not None and not isinstance(device, str) and not callable(device):
        raise TypeError(f"device must be a string such as 'cuda' or 'cpu', or a function of the worker's name "
                        f"returning one, got {type(device).__name__}")
    size = None if shard_size is None else check_count(shard_size, "shard_size (samples per shard)")
    path = None
    if checkpoint is not None:
        if not isinstance(checkpoint, (str, os.PathLike)):
            raise TypeError(f"checkpoint must be a folder path, got {type(checkpoint).__name__}")
        path = os.fspath(checkpoint)
        if isinstance(path, bytes) or not path.strip():
            raise InputError(f"checkpoint={checkpoint!r} names no folder (it would write into the current one); "
                             "pass a folder for this run, e.g. checkpoint='runs/my_run', or checkpoint=None")
        if os.path.exists(path) and not os.path.isdir(path):
            raise ValueError(f"checkpoint={path!r} is a file: give a folder (it is created if missing)")
    if checkpoint_key is not None and (not isinstance(checkpoint_key, str) or not checkpoint_key.strip()):
        raise InputError(f"checkpoint_key must be a non-empty string naming the model and its weights, got "
                         f"{checkpoint_key!r}")
    return Placement(client, path, size, model_factory, device, checkpoint_key)
