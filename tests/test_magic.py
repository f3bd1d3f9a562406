"""``%load_ext intershap_widget``: rich display of results and the ``%intershap`` magic.

The explorer class is replaced by fakes (``_magic.widget_class_override``) so the
magic's parsing, lookup and layout are tested without the front end.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

IPython = pytest.importorskip("IPython")
ipywidgets = pytest.importorskip("ipywidgets")
traitlets = pytest.importorskip("traitlets")

from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

import intershap_widget as isw  # noqa: E402
from intershap_widget.views import magic as _magic  # noqa: E402

VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class FakeExplorer:
    """Stands in for InterSHAPWidget: remembers its result, has a widget bundle."""

    made: list = []

    def __init__(self, result):
        self.result = result
        FakeExplorer.made.append(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {VIEW_MIME: {"model_id": f"fake-{id(self)}", "version_major": 2}, "text/plain": "FakeExplorer"}


class FakeWidget(ipywidgets.DOMWidget):
    """A real (kernel-less) ipywidget with the explorer's selection traits."""

    selected_sample = traitlets.Int(0).tag(sync=True)
    selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)

    def __init__(self, result, **kw):
        super().__init__(**kw)
        self.result = result


def make_result(seed: int, n: int = 5, m: int = 3):
    rng = np.random.default_rng(seed)
    return isw.InteractionResult(rng.normal(size=(n, 2**m)), modality_names=["a", "b", "c"][:m])


@pytest.fixture
def shell(monkeypatch):
    sh = InteractiveShell.instance()
    monkeypatch.setattr(_magic, "widget_class_override", FakeExplorer)
    FakeExplorer.made = []
    sh.run_line_magic("load_ext", "intershap_widget")
    sh.user_ns.update(res_early=make_result(1), res_late=make_result(2), not_a_result=[1, 2], number=3)
    yield sh
    sh.run_line_magic("unload_ext", "intershap_widget")
    for name in ("res_early", "res_late", "not_a_result", "number", "several", "named"):
        sh.user_ns.pop(name, None)


def test_one_result_opens_one_explorer(shell):
    w = shell.run_line_magic("intershap", "res_early")
    assert isinstance(w, FakeExplorer) and w.result is shell.user_ns["res_early"]


def test_expression_argument_is_evaluated_in_the_notebook(shell):
    w = shell.run_line_magic("intershap", "res_early[1:4]")
    assert w.result.n_samples == 3
    np.testing.assert_array_equal(w.result.sample_index, [1, 2, 3])


def test_parse_targets_titles():
    ns = {"res_early": make_result(1), "res_late": make_result(2), "d": {"x": make_result(3), "y": make_result(4)}}
    parsed = _magic.parse_targets("res_early res_late", ns, lambda e: eval(e, ns))
    assert [t for t, _ in parsed] == ["res_early", "res_late"]
    assert parsed[0][1] is ns["res_early"] and parsed[1][1] is ns["res_late"]
    parsed = _magic.parse_targets("early=res_early 'late fusion'=res_late", ns, lambda e: eval(e, ns))
    assert [t for t, _ in parsed] == ["early", "late fusion"]
    parsed = _magic.parse_targets("early=res_early late=res_late", ns, lambda e: eval(e, ns))
    assert [t for t, _ in parsed] == ["early", "late"]
    parsed = _magic.parse_targets("d", ns, lambda e: eval(e, ns))
    assert [t for t, _ in parsed] == ["x", "y"] and parsed[1][1] is ns["d"]["y"]
    ns["lst"] = [ns["res_early"], ns["res_late"]]
    parsed = _magic.parse_targets("lst", ns, lambda e: eval(e, ns))
    assert [t for t, _ in parsed] == ["lst[0]", "lst[1]"]


@pytest.mark.parametrize(
    "line, message",
    [
        ("", "at least one result"),
        ("missing_name", "no variable named 'missing_name'"),
        ("not_a_result", "'not_a_result' is a list, not an InteractionResult"),
        ("number", "'number' is a int, not an InteractionResult"),
        ("res_early[", "could not evaluate"),
        ("res_early res_early", "titles must differ"),
        ("'unclosed", "cannot parse"),
    ],
)
def test_bad_arguments_give_clear_errors(shell, line, message):
    with pytest.raises(UsageError, match=message.replace("[", r"\[")):
        shell.run_line_magic("intershap", line)
    assert FakeExplorer.made == []


def test_several_results_side_by_side_with_linked_selection(shell, monkeypatch):
    monkeypatch.setattr(_magic, "widget_class_override", FakeWidget)
    box = shell.run_line_magic("intershap", "early=res_early late=res_late")
    assert isinstance(box, ipywidgets.HBox) and len(box.children) == 2
    titles = [re.sub("<[^>]+>", "", col.children[0].value) for col in box.children]
    assert titles == ["early", "late"]
    explorers = [col.children[1] for col in box.children]
    assert explorers[0].result is shell.user_ns["res_early"] and explorers[1].result is shell.user_ns["res_late"]
    linked = {(ln.source[1], ln.target[1]) for ln in box._intershap_links}
    assert linked == {("selected_sample", "selected_sample"), ("selected_indices", "selected_indices")}
    for ln in box._intershap_links:
        assert ln.source[0] is explorers[0] and ln.target[0] is explorers[1]
    # the box's display carries both results' pictures (stacked) and summaries
    data = box._repr_mimebundle_()
    assert VIEW_MIME in data
    assert data["text/plain"].startswith("[early]\n" + shell.user_ns["res_early"].summary())
    assert "[late]\n" in data["text/plain"]
    png = base64.b64decode(data["image/png"])
    one = base64.b64decode(isw.plots.static_mimebundle(shell.user_ns["res_early"])["image/png"])
    h2, h1 = int.from_bytes(png[20:24], "big"), int.from_bytes(one[20:24], "big")
    assert h2 == 2 * h1


def test_results_of_different_samples_are_not_linked(shell, monkeypatch):
    monkeypatch.setattr(_magic, "widget_class_override", FakeWidget)
    with pytest.warns(UserWarning, match="different samples"):
        box = shell.run_line_magic("intershap", "res_early res_early[:3]")
    assert box._intershap_links == []


def test_widget_class_with_its_own_side_by_side(shell, monkeypatch):
    calls = []

    class WithSideBySide(FakeExplorer):
        @classmethod
        def side_by_side(cls, results, titles):
            calls.append((results, titles))
            return "combined"

    monkeypatch.setattr(_magic, "widget_class_override", WithSideBySide)
    assert shell.run_line_magic("intershap", "res_early res_late") == "combined"
    assert calls[0][1] == ["res_early", "res_late"]
    assert calls[0][0][1] is shell.user_ns["res_late"]


def test_rich_display_carries_widget_picture_and_text(shell):
    res = shell.user_ns["res_early"]
    data, _ = shell.display_formatter.format(res)
    assert VIEW_MIME in data
    assert data["text/plain"] == res.summary()
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert FakeExplorer.made[-1].result is res


def test_rich_display_respects_include_and_exclude(shell):
    res = shell.user_ns["res_early"]
    FakeExplorer.made = []
    assert _magic.result_mimebundle(res, include=["text/plain"]) == {"text/plain": res.summary()}
    assert FakeExplorer.made == []  # no widget made when its view is not wanted
    data = _magic.result_mimebundle(res, exclude=["image/png"])
    assert set(data) == {VIEW_MIME, "text/plain"}


def test_rich_display_keeps_the_explorers_own_picture(shell, monkeypatch):
    class WithPicture(FakeExplorer):
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {**super()._repr_mimebundle_(), "image/png": "from-the-widget"}

    monkeypatch.setattr(_magic, "widget_class_override", WithPicture)
    res = shell.user_ns["res_late"]
    data = _magic.result_mimebundle(res)
    assert data["image/png"] == "from-the-widget" and data["text/plain"] == res.summary()


def test_no_picture_for_a_text_only_shell(shell, monkeypatch):
    monkeypatch.setattr(shell.display_formatter, "active_types", ["text/plain"])
    data, _ = shell.display_formatter.format(shell.user_ns["res_early"])
    assert "image/png" not in data and data["text/plain"] == shell.user_ns["res_early"].summary()


def test_rich_display_without_front_end_is_static(shell, monkeypatch):
    def missing(result):
        raise ImportError("no front end")

    monkeypatch.setattr(_magic, "widget_class_override", missing)
    data, _ = shell.display_formatter.format(shell.user_ns["res_late"])
    assert VIEW_MIME not in data and "image/png" in data


def test_unload_removes_the_magic_results_still_display_themselves(shell):
    shell.run_line_magic("unload_ext", "intershap_widget")
    assert "intershap" not in shell.magics_manager.magics["line"]
    data, _ = shell.display_formatter.format(shell.user_ns["res_early"])
    assert VIEW_MIME in data and data["text/plain"] == shell.user_ns["res_early"].summary()
    shell.run_line_magic("load_ext", "intershap_widget")  # the fixture unloads again
