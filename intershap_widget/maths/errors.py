"""The package's own exceptions for what a user passed or opened.

:class:`InputError` is a bad argument: its message names the argument, the value given
and what to pass instead. It is both a ``ValueError`` and a ``TypeError``, so code that
caught either from earlier versions still catches it. :class:`ResultFileError` is a file
that is not a readable result (corrupt, crafted, another program's); its message starts
``"not an intershap-widget result file: "`` and names the path and the reason. (A save
that fails keeps its ``OSError`` type, with the user's path and the reason.)
"""

from __future__ import annotations

__all__ = ["InputError", "ResultFileError"]


class InputError(ValueError, TypeError):
    """A bad argument; the message names it, the bad value and the fix."""


class ResultFileError(ValueError):
    """A file that is not a readable result: the message names the path and why."""
