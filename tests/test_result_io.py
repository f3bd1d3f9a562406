"""Persistence that cannot lose a file (maths/result_io.py): atomic writes, labels of any
dtype, one clear error for anything that is not a saved result, new fields round-trip."""

import io
import os
import pickle

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import result_io

NOT_OURS = "not an intershap-widget result file: "


def _res(labels=None, **settings):
    v = np.random.default_rng(0).normal(size=(4, 8))
    return isw.InteractionResult(v, labels=labels, modality_names=["a", "b", "c"], settings=settings)


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "res.npz"
    good = _res(seed=1)
    good.save(path)
    before = path.read_bytes()

    def broken(fh, **arrays):
        fh.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(result_io.np, "savez_compressed", broken)
    with pytest.raises(KeyboardInterrupt):
        _res(seed=2).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["res.npz"]  # no temporary file left behind
    monkeypatch.undo()
    np.testing.assert_array_equal(isw.load_result(path).coalition_values, good.coalition_values)


def test_save_writes_exactly_the_given_name(tmp_path):
    path = tmp_path / "result"  # no .npz added
    _res().save(str(path))
    assert os.listdir(tmp_path) == ["result"]
    assert isw.load_result(path).modality_names == ["a", "b", "c"]


@pytest.mark.parametrize("labels", [
    np.array(["cat", "dog", "cat", "emu"]),
    np.array(["cat", "dog", "cat", "emu"], dtype=object),
    np.array([1, 2, 3, 4], dtype=object),
    np.array([0.5, 1.5, np.nan, 2.0]),
    np.array([True, False, True, True]),
    np.array([b"x", b"y", b"z", b"w"]),
    np.array(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], dtype="datetime64[D]"),
])
def test_labels_of_any_dtype_round_trip(tmp_path, labels):
    path = tmp_path / "res.npz"
    _res(labels=labels).save(path)
    back = isw.load_result(path).labels
    assert back.dtype == labels.dtype or (labels.dtype == object and back.dtype == object)
    assert [type(x) for x in back.tolist()] == [type(x) for x in labels.tolist()]
    np.testing.assert_array_equal(back, labels)


def test_labels_with_none_or_mixed_types_are_refused_at_save(tmp_path):
    path = tmp_path / "res.npz"
    with pytest.raises(ValueError, match="labels contain None, which a result file cannot store"):
        _res(labels=["a", None, "b", "c"]).save(path)
    with pytest.raises(ValueError, match=r"labels of mixed or non-scalar types \(int, str\)"):
        _res(labels=np.array([1, "a", 2, "b"], dtype=object)).save(path)
    assert not path.exists() and os.listdir(tmp_path) == []


def _bad_files(tmp_path):
    good = tmp_path / "good.npz"
    _res().save(good)
    data = good.read_bytes()
    files = {
        "truncated": data[: len(data) // 2],
        "corrupt": data[:40] + bytes(200) + data[240:],
        "text": b"a,b,c\n1,2,3\n",
        "empty": b"",
        "pickle": pickle.dumps({"coalition_values": [1, 2]}),
    }
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    files["npy"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, x=np.zeros(3))
    files["foreign npz"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, meta=np.array('{"kind": "something else", "format_version": 1}'), coalition_values=np.zeros((2, 4)))
    files["foreign header"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, meta=np.array('{"kind": "intershap-widget result", "format_version": 99}'),
             coalition_values=np.zeros((2, 4)))
    files["future version"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, meta=np.array('{"kind": "intershap-widget result", "format_version": 1, "modality_names": ["a"],'
                                ' "target": "predicted", "class_names": null, "settings": {}}'),
             coalition_values=np.zeros((2, 4)))
    files["inconsistent"] = buf.getvalue()
    return files


def test_anything_else_gets_one_clear_error_and_no_pickle_hint(tmp_path):
    for name, content in _bad_files(tmp_path).items():
        path = tmp_path / f"{name}.npz"
        path.write_bytes(content)
        with pytest.raises(ValueError) as err:
            isw.load_result(path)
        text = str(err.value)
        assert text.startswith(NOT_OURS + str(path)), (name, text)
        assert "pickle" not in text[len(NOT_OURS + str(path)):].lower(), name
        # no chained error (numpy's own message suggests allow_pickle=True)
        assert err.value.__cause__ is None, name
        assert err.value.__context__ is None or err.value.__suppress_context__, name
    with pytest.raises(FileNotFoundError):
        isw.load_result(tmp_path / "missing.npz")


def test_settings_and_nan_reasons_round_trip(tmp_path):
    path = tmp_path / "res.npz"
    v = np.array([[0.40686789, 0.4068679, 0.4068679, 0.40686789], [0.1, 0.5, 0.3, 1.0]])
    res = isw.InteractionResult(v, settings={"output_dtype": "float32", "interval_level": 0.9, "seed": 7,
                                             "degenerate_global": "why", "bias": {"se": 0.5}})
    res.save(path)
    back = isw.load_result(path)
    assert back.settings == res.settings
    assert back.local_nan_reason == res.local_nan_reason == (
        "1 of 2 samples have no behaviour beyond rounding of their output scale "
        "(local InterSHAP NaN, left out of the local mean)")
    assert back.nan_reason == res.nan_reason
    np.testing.assert_array_equal(back.intershap_local, res.intershap_local)
    assert back.summary() == res.summary()
