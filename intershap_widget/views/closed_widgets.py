"""Closed widgets out of an executed notebook.

nbclient keeps every widget a kernel ever opened in the notebook's saved widget state,
closed ones included. A progress bar closes itself when its run ends (tqdm with
``leave=False``), yet its model ("InterSHAP: 77%") and the cell output that displays it
stay, and show as a stale bar or a blank gap where the notebook is read without a kernel
(JupyterLab with the saved state, an exported HTML page). A live front end drops a closed
widget's view; :class:`ClosingClient` records the kernel's ``comm_close`` messages and
:func:`drop_closed` removes those models, the models only they referred to, and the
outputs that displayed them.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ClosingClient", "drop_closed", "finished_bars"]

_VIEW = "application/vnd.jupyter.widget-view+json"
_STATE = "application/vnd.jupyter.widget-state+json"


def _refs(state: dict) -> set[str]:
    """The model ids one model's state refers to (``IPY_MODEL_<id>`` strings, nested)."""
    text = json.dumps(state)
    return {part.split('"', 1)[0] for part in text.split("IPY_MODEL_")[1:]}


def drop_closed(nb: Any, closed: set[str]) -> int:
    """Remove the ``closed`` widget models from ``nb``'s saved state, with every model
    that only they referred to, and the outputs that displayed them; the number of
    outputs removed."""
    widgets = nb.metadata.get("widgets", {}).get(_STATE, {})
    state = widgets.get("state", {})
    gone = {c for c in closed if c in state}
    removed = 0
    for cell in nb.cells:
        outs = cell.get("outputs", [])
        keep = [o for o in outs if o.get("data", {}).get(_VIEW, {}).get("model_id") not in closed]
        removed += len(outs) - len(keep)
        if len(keep) != len(outs):
            cell["outputs"] = keep
    shown = {o.get("data", {}).get(_VIEW, {}).get("model_id") for c in nb.cells for o in c.get("outputs", [])}
    while gone:
        orphans = set().union(*(_refs(state[g]) for g in gone)) & set(state)
        for g in gone:
            state.pop(g, None)
        still = set().union(*(_refs(s) for s in state.values())) if state else set()
        gone = {o for o in orphans if o not in still and o not in shown}
    return removed


def finished_bars(nb: Any, desc: str = "InterSHAP") -> set[str]:
    """The model ids of this package's tqdm bars in ``nb``'s saved state (an HBox with a
    FloatProgress and an HTML label starting ``"InterSHAP:"``): in a saved notebook a bar
    is over, whoever executed it (``jupyter nbconvert --execute`` keeps closed widgets too)."""
    state = nb.metadata.get("widgets", {}).get(_STATE, {}).get("state", {})

    def model(ref: Any) -> dict:
        key = ref[len("IPY_MODEL_"):] if isinstance(ref, str) and ref.startswith("IPY_MODEL_") else None
        return state.get(key, {}) if key else {}

    bars = set()
    for mid, m in state.items():
        if m.get("model_name") != "HBoxModel":
            continue
        kids = [model(ref) for ref in m.get("state", {}).get("children", [])]
        names = [k.get("model_name") for k in kids]
        label = [k.get("state", {}).get("value", "") for k in kids if k.get("model_name") == "HTMLModel"]
        if "FloatProgressModel" in names and label and str(label[0]).startswith(f"{desc}:"):
            bars.add(mid)
    return bars


def ClosingClient(*args: Any, **kwargs: Any) -> Any:
    """An ``nbclient.NotebookClient`` that records the widgets the kernel closed
    (``client.closed_widgets``, a set of model ids)."""
    import nbclient

    class _Client(nbclient.NotebookClient):
        def handle_comm_msg(self, outs: list, msg: dict, cell_index: int) -> None:
            if msg.get("msg_type") == "comm_close":
                self.closed_widgets.add(msg["content"]["comm_id"])
            super().handle_comm_msg(outs, msg, cell_index)

    client = _Client(*args, **kwargs)
    client.closed_widgets = set()
    return client
