"""The display hook: how a result shows itself in a notebook, without this layer
knowing any view.

The views layer (:mod:`intershap_widget.views.display`) registers one function
``hook(result, include, exclude) -> dict`` (an IPython mime bundle). Results call
:func:`rich_display` from their ``_repr_mimebundle_``; with no hook registered (the
mathematics used on its own) they show their text summary only.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

__all__ = ["register_display", "rich_display"]

DisplayHook = Callable[[Any, "Iterable[str] | None", "Iterable[str] | None"], dict]

_HOOK: list[DisplayHook] = []


def register_display(hook: DisplayHook | None) -> None:
    """Make ``hook(result, include, exclude) -> mime bundle`` the rich display of every
    result; ``None`` removes it (results then show text only)."""
    _HOOK.clear()
    if hook is not None:
        _HOOK.append(hook)


def rich_display(result: Any, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None) -> dict:
    """The mime bundle of ``result``: the registered hook's, else ``{"text/plain": repr}``."""
    if _HOOK:
        return _HOOK[0](result, include, exclude)
    return {"text/plain": repr(result)}
