"""``python -m intershap_widget.paper.reproduce``: the reproduction command line (:mod:`.cli`)."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
