"""Registers the views layer as the rich display of results (explorer, PNG, text).

Imported by the package on start; cheap: the widget and matplotlib are imported only
when a result is displayed.
"""

from __future__ import annotations

from ..maths.display import register_display
from .magic import result_mimebundle

register_display(result_mimebundle)
