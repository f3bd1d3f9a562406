"""``python -m intershap_widget.notebooks``: the notebook runner of
:mod:`intershap_widget.views.notebooks`, kept at this path for the README's command."""

from .views.notebooks import main

if __name__ == "__main__":
    raise SystemExit(main())
