"""File faults of results (issue 20): crafted files are refused from their headers before
numpy allocates anything, a loaded result can always show itself, saves name the user's
path and the reason, and new files honour the umask."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import zipfile

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import files, result_file_checks, result_io

NOT_OURS = "not an intershap-widget result file: "


def _res(**settings):
    v = np.random.default_rng(0).normal(size=(4, 8))
    return isw.InteractionResult(v, modality_names=["a", "b", "c"], settings=settings)


def _meta(**changes):
    meta = {"kind": "intershap-widget result", "format_version": result_io.FORMAT_VERSION,
            "modality_names": ["a", "b"], "target": "predicted", "class_names": None, "settings": {}}
    meta.update(changes)
    return json.dumps(meta)


def _npz(path, **arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    return path


def _npy_header(shape, dtype="<f8"):
    """A .npy member that declares ``shape`` but holds no data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # the magic string and the header, no data


@pytest.fixture
def no_numpy_load(monkeypatch):
    """Refusals must come from the headers, before numpy reads (and allocates) any array."""
    def refuse(*a, **k):
        raise AssertionError("np.load was called on a file that should be refused from its headers")

    monkeypatch.setattr(result_io.np, "load", refuse)


def _refused(path, why):
    with pytest.raises(isw.ResultFileError) as err:
        isw.load_result(path)
    text = str(err.value)
    assert text.startswith(NOT_OURS + str(path)) and why in text, text
    assert "allow_pickle" not in text and err.value.__cause__ is None
    return text


def test_complex_coalition_values_are_refused_not_truncated(tmp_path, no_numpy_load):
    path = _npz(tmp_path / "c.npz", meta=np.array(_meta()), coalition_values=np.ones((2, 4)) * (1 + 2j))
    _refused(path, "array 'coalition_values' holds complex numbers; a result stores real numbers there")


def test_object_arrays_are_refused_without_a_pickle_hint(tmp_path, no_numpy_load):
    labels = np.array([{"a": 1}, None], dtype=object)
    path = _npz(tmp_path / "o.npz", meta=np.array(_meta()), coalition_values=np.ones((2, 4)), labels=labels)
    _refused(path, "array 'labels' holds Python objects; result files hold numbers and text only")


def test_a_header_declaring_terabytes_is_refused_before_allocating(tmp_path, no_numpy_load):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.npy", _npy_header((), "<U10"))
        zf.writestr("coalition_values.npy", _npy_header((10**11, 8)))
    _refused(path, "its arrays declare 6,400,000,000,128 bytes or more, over 268,435,456 for a file of")


def test_a_header_of_megabytes_is_refused_before_reading(tmp_path, no_numpy_load):
    path = tmp_path / "long.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.npy", _npy_header((), "<U5000000"))  # 20 MB of text declared
        zf.writestr("coalition_values.npy", _npy_header((2, 4)))
    _refused(path, "its header declares more than 16,777,216 bytes")


def test_a_single_npy_declaring_terabytes_is_refused(tmp_path, no_numpy_load):
    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_header((10**11, 8)))
    _refused(path, "a single numpy array, not a saved result")


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path, no_numpy_load, monkeypatch):
    # a smaller bomb against a smaller floor: the same rule, 64 declared bytes per stored byte
    monkeypatch.setattr(result_file_checks, "FLOOR_BYTES", 1 << 20)
    path = tmp_path / "bomb.npz"
    zeros = np.zeros((1 << 20,))  # 8 MiB of zeros deflate to about 8 KiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.npy", _npy_header((), "<U10"))
        buf = io.BytesIO()
        np.save(buf, zeros)
        zf.writestr("coalition_values.npy", buf.getvalue())
    assert os.path.getsize(path) * result_file_checks.RATIO < zeros.nbytes
    _refused(path, "refused before reading (a crafted or damaged file)")


def test_too_many_members_and_unreadable_headers_are_refused(tmp_path, no_numpy_load):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(result_file_checks.MAX_MEMBERS + 1):
            zf.writestr(f"x{i}.npy", _npy_header((1,)))
    _refused(path, f"{result_file_checks.MAX_MEMBERS + 1} arrays, a result has at most")
    path = tmp_path / "garbled.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("coalition_values.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': garbage")
    _refused(path, "array 'coalition_values' has an unreadable header")


def test_a_deeply_nested_header_is_refused(tmp_path):
    nested = "[" * 200_000 + "]" * 200_000
    path = _npz(tmp_path / "deep.npz", meta=np.array(_meta(settings={"x": "PLACEHOLDER"}).replace(
        '"PLACEHOLDER"', nested)), coalition_values=np.ones((2, 4)))
    _refused(path, "its header nests more than 64 levels deep")
    # brackets inside strings are text, not nesting
    path = _npz(tmp_path / "text.npz", meta=np.array(_meta(settings={"note": "[[[[" * 100})),
                coalition_values=np.ones((2, 4)))
    assert isw.load_result(path).settings["note"] == "[[[[" * 100


@pytest.mark.parametrize("changes, why", [
    (dict(settings={"interval_level": 2}), "settings['interval_level'] must be a number between 0 and 1"),
    (dict(settings={"interval_level": "95%"}), "got '95%'"),
    (dict(settings=[1, 2]), "settings is not a mapping"),
    (dict(modality_names=[1, 2]), "modality_names is not a list of names"),
    (dict(target=[0]), "target [0] is neither a name nor a class number"),
    (dict(class_names="ab"), "class_names is not a list of names"),
])
def test_header_fields_are_checked_on_load(tmp_path, changes, why):
    path = _npz(tmp_path / "h.npz", meta=np.array(_meta(**changes)), coalition_values=np.ones((2, 4)))
    _refused(path, why)


def test_an_edited_interval_level_gets_a_clear_error_not_a_traceback():
    res = _res()
    res.settings["interval_level"] = "95%"
    said = (r"settings\['interval_level'\] must be a number between 0 and 1 \(0.95 for 95 % intervals\), got '95%'; "
            r"set res.settings\['interval_level'\] = 0.95")
    with pytest.raises(isw.InputError, match=said):
        res.intervals
    for text in (res.summary(), repr(res)):  # the numbers, without intervals, and what to set
        assert re.search("no intervals: " + said, text), text
        assert f"{100 * res.intershap:.1f} %" in text and "[" not in text.split("\n")[1]
    from intershap_widget.views.encode import intervals

    meta, phi_iv = intervals(res, 3)  # the widget: the numbers without intervals
    assert "level" not in meta and phi_iv.shape == (0, 6)
    res.settings["interval_level"] = 0.9
    assert "[90 % intervals over samples]" in res.summary()


def test_results_over_the_floor_are_stored_plain_and_load_back(tmp_path, monkeypatch):
    monkeypatch.setattr(result_io, "FLOOR_BYTES", 256)  # the writer's switch
    monkeypatch.setattr(result_file_checks, "FLOOR_BYTES", 256)  # and the reader's bound
    res = isw.InteractionResult(np.zeros((64, 8)))  # zeros: would compress far past the ratio
    path = tmp_path / "zeros.npz"
    res.save(path)
    with zipfile.ZipFile(path) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
    np.testing.assert_array_equal(isw.load_result(path).coalition_values, res.coalition_values)


@pytest.mark.parametrize("where, kind, reason", [
    ("no/such/dir/r.npz", FileNotFoundError, "the folder '{tmp}/no/such/dir' does not exist; create it first"),
    (".", IsADirectoryError, "it is a folder (or no name); give a file name"),
    ("/", IsADirectoryError, "it is a folder (or no name); give a file name"),
    ("/proc/r.npz", OSError, "the system refused to create a file in '/proc'"),  # Linux: no new files there
])
def test_save_errors_name_the_users_path_and_the_reason(tmp_path, monkeypatch, where, kind, reason):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(kind) as err:
        _res().save(where)
    text = str(err.value)
    assert f"cannot write {where!r}: {reason.format(tmp=tmp_path)}" in text, text
    assert ".tmp" not in text and os.listdir(tmp_path) == []


def test_a_folder_that_refuses_writing_is_named(tmp_path, monkeypatch):
    def refused(*a, dir=None, prefix="", **k):
        raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "x1y2.tmp"))

    monkeypatch.setattr(files.tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as err:
        _res().save(tmp_path / "r.npz")
    text = str(err.value)
    assert f"cannot write '{tmp_path / 'r.npz'}': no permission to write in the folder '{tmp_path}'" in text
    assert ".tmp" not in text


def test_a_failure_mid_write_names_the_path_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(fh, **arrays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(result_io.np, "savez_compressed", full)
    with pytest.raises(OSError, match=r"cannot write '.*r.npz': the disk holding '.*' is full; free space or save "
                                      r"elsewhere \(the previous file is kept\)"):
        _res().save(tmp_path / "r.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_honour_the_umask_and_existing_files_keep_their_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = tmp_path / "r.npz"
        _res().save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
        files.atomic_write(tmp_path / "shard.npz", lambda fh: np.savez(fh, x=np.zeros(2)))  # checkpoints' writer
        assert stat.S_IMODE(os.stat(tmp_path / "shard.npz").st_mode) == 0o666 & ~umask
        os.chmod(path, 0o640)
        _res().save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    finally:
        os.umask(old)
