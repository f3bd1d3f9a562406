"""Execute the project's example notebooks with their outputs and widget state.

Command line (from the repository root)::

    python -m intershap_widget.notebooks list
    python -m intershap_widget.notebooks run 01_quickstart --out executed/   # executed copies
    python -m intershap_widget.notebooks run --inplace                       # all, rewritten in place

Each notebook runs in a fresh ``python3`` kernel (nbclient, needs the ``dev`` extra),
with its own folder as working directory, and is saved with every cell's outputs and
the widgets' state (``metadata.widgets``), so the explorer shows without a kernel (in
JupyterLab, or exported with :func:`intershap_widget.export_html`). Nothing is
downloaded: the notebooks generate their data and the widgets ship with the package.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from .closed_widgets import ClosingClient, drop_closed

__all__ = ["default_dir", "find_notebooks", "execute_notebook", "main"]


def default_dir() -> Path:
    """``./notebooks`` if it exists, else the ``notebooks/`` folder beside the package source."""
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"


def find_notebooks(names: Sequence[str] = (), directory: str | Path | None = None) -> list[Path]:
    """Paths of the notebooks ``names`` (a path, a file name or its stem, e.g. ``01_quickstart``)
    in ``directory`` (default :func:`default_dir`); all ``*.ipynb`` there when ``names`` is empty."""
    folder = Path(directory) if directory is not None else default_dir()
    if not names:
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if not found:
            raise FileNotFoundError(f"no notebooks (*.ipynb) in {folder}; pass --dir or run from the repository root")
        return found
    out = []
    for name in names:
        candidates = [Path(name), folder / name, folder / f"{name}.ipynb"]
        hit = next((p for p in candidates if p.is_file() and p.suffix == ".ipynb"), None)
        if hit is None:
            known = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb"))) or "none"
            raise FileNotFoundError(f"no notebook {name!r} (looked in {folder}; known: {known})")
        out.append(hit)
    return out


def execute_notebook(path: str | Path, out_path: str | Path | None = None, *, timeout: int = 600,
                     kernel_name: str = "python3"):
    """Run the notebook at ``path`` in a fresh kernel; returns the executed ``NotebookNode``.

    Outputs and widget state are stored (``store_widget_state=True``), without the widgets
    the kernel closed (finished progress bars, :mod:`.closed_widgets`); cell timing
    metadata is not (smaller, stable files). Written to ``out_path`` when given (may equal ``path``).
    An error in a cell raises ``nbclient.exceptions.CellExecutionError`` naming the cell.
    """
    try:
        import nbclient  # noqa: F401  (ClosingClient builds on it)
        import nbformat
    except ImportError as exc:  # pragma: no cover - the dev extra has both
        raise ImportError("executing notebooks needs nbclient and nbformat: pip install 'intershap-widget[dev]'") from exc
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "Python 3", "language": "python"}
    client = ClosingClient(
        nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True, record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    drop_closed(nb, client.closed_widgets)  # no finished progress bar left as a blank gap
    if out_path is not None:
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_path)
    return nb


def printed_text(nb) -> str:
    """What the notebook's cells printed (their stdout streams), in cell order."""
    return "".join(
        out.get("text", "")
        for cell in nb.cells if cell.get("cell_type") == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )


def _run(args: argparse.Namespace) -> int:
    paths = find_notebooks(args.names, args.dir)
    if args.out is None and not args.inplace:
        print("nothing written: pass --out DIR for executed copies or --inplace to update the notebooks",
              file=sys.stderr)
    total = 0.0
    for path in paths:
        target = path if args.inplace else (Path(args.out) / path.name if args.out else None)
        t0 = time.perf_counter()
        nb = execute_notebook(path, target, timeout=args.timeout)
        dt = time.perf_counter() - t0
        if args.echo:
            print(printed_text(nb), end="", flush=True)
        total += dt
        size = f", {target.stat().st_size / 1e3:.0f} kB" if target is not None else ""
        print(f"{path.stem}: executed in {dt:.1f} s{size}" + (f" -> {target}" if target is not None else ""),
              flush=True)
    print(f"{len(paths)} notebook(s) in {total:.1f} s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (``python -m intershap_widget.notebooks``)."""
    parser = argparse.ArgumentParser(prog="python -m intershap_widget.notebooks", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks (all when no names are given)")
    run.add_argument("names", nargs="*", help="notebook names, e.g. 01_quickstart (default: all)")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--inplace", action="store_true", help="write the executed notebooks over the originals")
    where.add_argument("--out", metavar="DIR", help="write executed copies into DIR")
    run.add_argument("--dir", default=None, help="folder of the notebooks (default: ./notebooks)")
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    run.add_argument("--echo", action="store_true", help="print what the notebooks' cells printed")
    lst = sub.add_parser("list", help="list the notebooks")
    lst.add_argument("--dir", default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for p in find_notebooks((), args.dir):
                print(p.stem)
            return 0
        return _run(args)
    except FileNotFoundError as exc:
        parser.error(str(exc))  # exits with status 2
    except Exception as exc:  # a failing cell: nbclient's error names the cell and shows its traceback
        if type(exc).__name__ != "CellExecutionError":
            raise
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
