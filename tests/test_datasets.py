"""HD-XOR / SUM generators and the XOR oracle (intershap_widget.paper.datasets)."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.paper import datasets as D


def _probe_weights(x, t):
    """Ridge-regularised least squares (normal equations) of ±1 targets on [x, 1]."""
    a = np.c_[x, np.ones(len(x))].astype(np.float64)
    return np.linalg.solve(a.T @ a + 1e-3 * np.eye(a.shape[1]), a.T @ (2.0 * t - 1.0))


def _probe_accuracy(x_train, t_train, x_test, t_test):
    """Least-squares linear probe (with bias) for a binary target; test accuracy."""
    w = _probe_weights(x_train, t_train)
    pred = (np.c_[x_test, np.ones(len(x_test))] @ w) > 0
    return float(np.mean(pred == t_test.astype(bool)))


@pytest.mark.parametrize("m", [2, 3, 4, 5])
@pytest.mark.parametrize("setting", ["uniqueness1", "synergy", "redundancy", "random"])
def test_hd_xor_shapes_dtypes_and_labels(m, setting):
    ds = D.hd_xor(setting, m, 1000, seed=3)
    assert ds.dims == D.HD_XOR_DIMS[m]
    assert all(x.dtype == np.float32 and x.shape == (1000, d) for x, d in zip(ds.X, ds.dims))
    assert ds.y.shape == (1000,) and set(np.unique(ds.y)) <= {0, 1}
    assert len(ds.modality_names) == m == ds.n_modalities
    if setting != "random":
        # label 1 iff exactly one clear bit is set (XOR for two bits)
        np.testing.assert_array_equal(ds.y, (ds.latent.sum(1) == 1).astype(int))
        n_bits = m if (setting == "synergy" and m >= 3) else 2
        assert ds.latent.shape == (1000, n_bits)


def test_label_balance():
    for m in (2, 3, 4, 5):
        for setting in ("uniqueness1", "synergy", "redundancy", "random"):
            y = D.hd_xor(setting, m, 4000, seed=1).y
            assert abs(y.mean() - 0.5) < 0.025, (m, setting, y.mean())
    # the M >= 3 synergy generator rebalances exactly
    assert D.hd_xor("synergy", 4, 5000, seed=2).y.sum() == 2500


def test_two_bit_xor_has_uniform_patterns():
    ds = D.hd_xor("synergy", 2, 8000, seed=5)
    counts = np.bincount(ds.latent @ [1, 2], minlength=4) / 8000
    np.testing.assert_allclose(counts, 0.25, atol=0.02)
    assert np.corrcoef(ds.latent.T)[0, 1] == pytest.approx(0, abs=0.03)


def test_determinism_under_seed():
    a, b, c = (D.hd_xor("synergy", 3, 500, seed=s) for s in (7, 7, 8))
    for xa, xb, xc in zip(a.X, b.X, c.X):
        np.testing.assert_array_equal(xa, xb)
        assert not np.allclose(xa, xc)
    np.testing.assert_array_equal(a.y, b.y)
    for k in a.splits:
        np.testing.assert_array_equal(a.splits[k], b.splits[k])
    s1, s2 = D.sum_dataset("mix1", 500, seed=4), D.sum_dataset("mix1", 500, seed=4)
    np.testing.assert_array_equal(s1.X[0], s2.X[0])


def test_splits_are_stratified_partitions():
    ds = D.hd_xor("uniqueness2", 2, 2000, seed=0)
    sp = ds.splits
    assert [sp[k].size for k in ("train", "valid", "test")] == [1400, 300, 300]
    allidx = np.concatenate(list(sp.values()))
    np.testing.assert_array_equal(np.sort(allidx), np.arange(2000))
    for k in sp:
        assert abs(ds.y[sp[k]].mean() - ds.y.mean()) < 0.01
    tr = ds.split("train")
    assert tr.n_samples == 1400 and np.array_equal(tr.X[1], ds.X[1][sp["train"]])
    np.testing.assert_array_equal(tr.index, sp["train"])
    assert ds.split("val").n_samples == 300
    with pytest.raises(KeyError, match="available"):
        tr.split("test")


def test_informative_modality_carries_the_clear_bits():
    """A linear probe decodes the clear bits from the modality that carries them only."""
    ds = D.hd_xor("uniqueness1", 2, 4000, seed=11)
    tr, te = ds.split("train"), ds.split("test")
    for bit in (0, 1):
        acc_inf = _probe_accuracy(tr.X[0], tr.latent[:, bit], te.X[0], te.latent[:, bit])
        acc_noise = _probe_accuracy(tr.X[1], tr.latent[:, bit], te.X[1], te.latent[:, bit])
        assert acc_inf > 0.9, acc_inf
        assert abs(acc_noise - 0.5) < 0.05, acc_noise
    # XOR of the decoded bits predicts the label far above chance from modality 1 alone
    dec = []
    for bit in (0, 1):
        w = _probe_weights(tr.X[0], tr.latent[:, bit])
        dec.append((np.c_[te.X[0], np.ones(len(te.y))] @ w) > 0)
    assert np.mean((dec[0] ^ dec[1]) == te.y) > 0.85


def test_synergy_bits_live_in_their_own_modality():
    ds = D.hd_xor("synergy", 3, 4000, seed=12)
    tr, te = ds.split("train"), ds.split("test")
    for mod in range(3):
        for bit in range(3):
            acc = _probe_accuracy(tr.X[mod], tr.latent[:, bit], te.X[mod], te.latent[:, bit])
            if bit == mod:
                assert acc > 0.9, (mod, bit, acc)
            else:
                assert abs(acc - 0.5) < 0.05, (mod, bit, acc)
    # two modalities: neither alone predicts the XOR label (for M >= 3 "exactly one bit
    # set" leaks through single modalities, the paper's stated limitation)
    d2 = D.hd_xor("synergy", 2, 4000, seed=12)
    tr, te = d2.split("train"), d2.split("test")
    for mod in range(2):
        assert abs(_probe_accuracy(tr.X[mod], tr.y, te.X[mod], te.y) - 0.5) < 0.05


def test_redundancy_copies_the_bits_to_every_modality():
    ds = D.hd_xor("redundancy", 3, 4000, seed=13)
    tr, te = ds.split("train"), ds.split("test")
    for mod in range(3):
        assert _probe_accuracy(tr.X[mod], tr.latent[:, 0], te.X[mod], te.latent[:, 0]) > 0.85


def test_random_setting_has_no_signal():
    ds = D.hd_xor("random", 2, 4000, seed=14)
    tr, te = ds.split("train"), ds.split("test")
    xcat_tr, xcat_te = np.hstack(tr.X), np.hstack(te.X)
    assert abs(_probe_accuracy(xcat_tr, tr.y, xcat_te, te.y) - 0.5) < 0.05


@pytest.mark.parametrize(
    "setting, informative",
    [("uniqueness1", (0,)), ("uniqueness2", (1,)), ("redundancy", (0, 1)), ("synergy", (0, 1))],
)
def test_sum_label_is_linear_in_the_informative_modalities(setting, informative):
    ds = D.sum_dataset(setting, 4000, seed=21)
    assert ds.dims == (100, 100)
    tr, te = ds.split("train"), ds.split("test")
    majority = max(te.y.mean(), 1 - te.y.mean())
    for mod in (0, 1):
        acc = _probe_accuracy(tr.X[mod], tr.y, te.X[mod], te.y)
        if mod in informative and setting != "synergy":
            assert acc > 0.9, (mod, acc)
        elif mod not in informative:
            assert acc < majority + 0.03, (mod, acc, majority)
    both = _probe_accuracy(np.hstack(tr.X), tr.y, np.hstack(te.X), te.y)
    assert both > 0.9
    np.testing.assert_array_equal(ds.y, (ds.latent.sum(1) > 0.5).astype(int))


def test_sum_modalities_share_r():
    ds = D.sum_dataset("redundancy", 200, seed=0)
    np.testing.assert_array_equal(ds.X[0][:, 60:], ds.X[1][:, 60:])
    np.testing.assert_allclose(np.linalg.norm(ds.X[0][:, :60], axis=1), 1.0, rtol=1e-5)


def test_xor_oracle_reads_the_bits_each_modality_carries():
    ds = D.hd_xor("synergy", 2, 400, seed=1)
    views = ds.bits_view()
    out = D.xor_oracle(views)
    assert out.shape == (400, 2) and out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(1), ds.y)
    np.testing.assert_array_equal(out.sum(1), 1.0)
    # replace modality 2 by another sample's row: the oracle must use that row's bit
    perm = np.random.default_rng(0).permutation(400)
    mixed = D.xor_oracle([views[0], views[1][perm]])
    np.testing.assert_array_equal(mixed.argmax(1), ds.latent[:, 0] ^ ds.latent[perm, 1])
    # uniqueness: the noise modality carries no bits, so replacing it changes nothing
    du = D.hd_xor("uniqueness2", 3, 300, seed=2)
    vu = du.bits_view()
    assert not vu[0].any() and not vu[2].any()
    np.testing.assert_array_equal(D.xor_oracle([vu[0][perm[:300] % 300], vu[1], vu[2][::-1]]).argmax(1), du.y)


def test_xor_oracle_intershap_is_exact_with_a_balanced_background():
    for setting in ("synergy", "uniqueness1", "uniqueness2"):
        ds = D.hd_xor(setting, 2, 2000, seed=3)
        bg = ds.subset(ds.background_index(100, seed=1))
        res = isw.explain(D.xor_oracle, ds.split("test").bits_view(), bg.bits_view(),
                          output="probability", progress=False)
        want = 1.0 if setting == "synergy" else 0.0
        assert res.intershap == pytest.approx(want, abs=1e-12)
        np.testing.assert_allclose(res.intershap_local, want, atol=1e-12)
    # three modalities, uniqueness: no interaction at all
    ds = D.hd_xor("uniqueness3", 3, 1000, seed=4)
    res = isw.explain(D.xor_oracle, ds.split("test").bits_view(),
                      ds.subset(ds.background_index(40)).bits_view(), output="probability", progress=False)
    assert res.intershap == pytest.approx(0.0, abs=1e-12)


def test_background_index_is_balanced_over_bit_patterns():
    ds = D.hd_xor("redundancy", 2, 3000, seed=6)
    idx = ds.background_index(100, seed=2)
    assert np.isin(idx, ds.splits["train"]).all() and np.unique(idx).size == 100
    np.testing.assert_array_equal(np.bincount(ds.latent[idx] @ [1, 2], minlength=4), 25)
    ds3 = D.hd_xor("synergy", 3, 3000, seed=6)
    idx3 = ds3.background_index(120, seed=0)
    assert ds3.y[idx3].sum() == 60


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="setting"):
        D.hd_xor("synergie", 2)
    with pytest.raises(ValueError, match="unique modality"):
        D.hd_xor("uniqueness3", 2, 100)
    with pytest.raises(ValueError, match="dims="):
        D.hd_xor("synergy", 6, 100)
    with pytest.raises(ValueError, match="SUM setting"):
        D.sum_dataset("mix3", 100)
    with pytest.raises(ValueError, match="oracle"):
        D.hd_xor("redundancy", 2, 100).bits_view()
    with pytest.raises(ValueError, match="one shape"):
        D.xor_oracle([np.zeros((3, 2)), np.zeros((4, 2))])
    with pytest.raises(ValueError, match="fractions"):
        D.stratified_split(np.zeros(10), (0.5, 0.5, 0.5))


def test_background_index_keeps_the_label_shares_of_unbalanced_data():
    ds = D.sum_dataset("mix1", 4000, seed=0)  # about a third positives
    idx = ds.background_index(100, seed=0)
    assert abs(ds.y[idx].mean() - ds.y[ds.splits["train"]].mean()) <= 0.01


# ------------------------------------------------------------------ label rule (onehot | parity)
def test_default_label_keeps_the_generator_unchanged():
    # pinned from the generator before the label option existed (seed 5, 300 samples):
    # sha256 of latent bits + labels, and one projected entry per modality
    pins = {
        2: ("beb297bb066e7a7b", [8.160346031188965, -13.552595138549805]),
        3: ("2e16bfa5180108b7", [-5.135682106018066, -0.3547726273536682, -3.412344217300415]),
        4: ("66d4432a0c1665f3", [-3.1009209156036377, -15.86799144744873, -8.893049240112305, -9.129270553588867]),
    }
    import hashlib

    for m, (digest, x73) in pins.items():
        ds = D.hd_xor("synergy", m, 300, seed=5)
        explicit = D.hd_xor("synergy", m, 300, seed=5, label="onehot")
        assert hashlib.sha256(ds.latent.tobytes() + ds.y.tobytes()).hexdigest()[:16] == digest
        np.testing.assert_allclose([float(x[7, 3]) for x in ds.X], x73, rtol=1e-5)
        for a, b in zip(ds.X, explicit.X):
            np.testing.assert_array_equal(a, b)
        assert ds.params["label"] == "onehot"


@pytest.mark.parametrize("m", [3, 4])
def test_parity_label_matches_the_bits_and_is_balanced(m):
    ds = D.hd_xor("synergy", m, 1000, seed=2, label="parity")
    assert ds.params["label"] == "parity"
    np.testing.assert_array_equal(ds.y, ds.latent.sum(1) % 2)  # y = i_1 xor ... xor i_M
    assert ds.y.sum() == 500
    # every one of the 2**M patterns occurs (each class uniform over its 2**(M-1) patterns)
    counts = np.bincount(ds.latent.astype(np.int64) @ (1 << np.arange(m)), minlength=2**m)
    assert counts.min() > 1000 / 2**m / 2
    # the onehot rule on the same seed: label 1 iff exactly one bit, also balanced
    oh = D.hd_xor("synergy", m, 1000, seed=2)
    np.testing.assert_array_equal(oh.y, (oh.latent.sum(1) == 1).astype(int))
    assert oh.y.sum() == 500
    # background stratification stays label-balanced and pattern-uniform
    idx = ds.background_index(2**m * 5, seed=0)
    np.testing.assert_array_equal(np.bincount(ds.latent[idx].astype(np.int64) @ (1 << np.arange(m)), minlength=2**m), 5)


@pytest.mark.parametrize("m, want", [(3, 0.75), (4, 2 / 3)])
def test_parity_oracle_is_purely_m_way(m, want):
    # a pure order-t game has pairwise InterSHAP t / (2 (t - 1)) (interactions.py docs)
    ds = D.hd_xor("synergy", m, 800, seed=3, label="parity")
    oracle = ds.oracle()
    np.testing.assert_array_equal(oracle(ds.bits_view()).argmax(1), ds.y)
    bg = ds.subset(ds.background_index(2**m * 3, seed=1))
    res = isw.explain(oracle, ds.split("test").bits_view(), bg.bits_view(), output="probability", progress=False)
    assert res.intershap == pytest.approx(want, abs=1e-9)
    np.testing.assert_allclose(res.intershap_local, want, atol=1e-9)
    np.testing.assert_allclose(res.order_shares().global_shares, np.eye(m)[m - 1], atol=1e-9)
    # the onehot oracle on parity data would be wrong: the rule must come from the dataset
    assert (D.xor_oracle(ds.bits_view()).argmax(1) != ds.y).any()
    assert D.hd_xor("synergy", m, 100, seed=3).oracle().keywords["label"] == "onehot"


def test_bad_label_is_refused():
    with pytest.raises(ValueError, match="parity"):
        D.hd_xor("synergy", 3, 100, label="xor")
    with pytest.raises(ValueError, match="label"):
        D.xor_oracle([np.zeros((3, 2))], label="odd")
    with pytest.raises(ValueError, match="oracle"):
        D.hd_xor("redundancy", 3, 100).oracle()
