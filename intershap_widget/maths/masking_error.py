"""Masking error: standard errors of v(S), φ and the InterSHAP scores that come from
the masking itself (which background rows replaced the absent modalities), estimated
from the run's own rows.

A masked coalition value is a mean over K rows, ``v_a(S) = mean_k y_a[S, k]``. How the
rows were chosen (the *design*) says how their errors combine:

* ``"paired"``: sample a uses the same K rows for every coalition, rows differ between
  samples (:class:`~intershap_widget.explainers.maskers.SampledMasker`). Any linear
  functional L = Σ_S w_S v(S) (φ_ij, a score's linearisation) is a mean of K per-row
  values L_k = Σ_S w_S y[S, k], so Var(L) = var_k(L_k) / K · fpc; the differences
  inside φ lose the noise the coalitions share. Errors of different samples are
  treated as independent (rows are assigned by a seeded permutation with
  low-discrepancy offsets, so they are at most mildly correlated, and negatively).
* ``"independent"``: every (sample, coalition) pair has its own draws (the paper's
  random masking, :class:`~intershap_widget.explainers.maskers.RandomMasker`):
  Var(L) = Σ_S w_S² var_k(y[S, k]) / K.
* ``"shared"``: one set of K rows for every sample and coalition (an exact expectation
  over a seeded subsample of a larger background): the errors of all samples are
  one error, so the global score's variance is that of the per-row mean over samples.

``fpc`` is the finite-population factor 1 − K/B for K rows drawn without replacement
from B background rows (0 when every row is used: exact, no masking error).
Scores are propagated by the delta method (first order; |·| and the ratio are
linearised at the estimate).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import games

__all__ = ["MaskingError", "masking_error", "exact_masking_error", "DESIGNS", "lin_var", "floor_at_mean"]

DESIGNS = ("paired", "independent", "shared")

#: samples per chunk when per-row matrices are formed (bounded memory)
_CHUNK_ROWS = 1 << 21


@dataclass
class MaskingError:
    """Standard errors from the masking (0 where the value is exact).

    coalition_values ``(N, 2**M)``, phi ``(N, M, M)``, Phi ``(M, M)`` (of mean φ),
    intershap_local ``(N,)``, intershap (float); ``design`` and ``rows_per_sample``
    say how the rows were chosen; ``note`` says when the error is exactly 0 or why it
    was not estimated.
    """

    coalition_values: np.ndarray
    phi: np.ndarray
    Phi: np.ndarray
    intershap_local: np.ndarray
    intershap: float
    design: str
    rows_per_sample: int
    note: str = ""
    extra: dict = field(default_factory=dict)
    #: per sample, the variances of A = Σ_{i≠j} s_ij φ_ij and D = Σ_i s_ii φ_ii and
    #: their covariance ``(N, 3)``, s = ``signs`` ``(M, M)`` of mean φ: the global
    #: score's linearisation is ((1 − R)·A − R·D)/T, so a subset with the same signs
    #: gets its global error exactly (:mod:`.masking_carry`); None for a shared design
    parts: np.ndarray | None = None
    signs: np.ndarray | None = None

    @property
    def phi_rms(self) -> float:
        """Root mean square of the per-sample φ standard errors."""
        return float(np.sqrt(np.mean(self.phi**2))) if self.phi.size else float("nan")

    def as_dict(self) -> dict:
        """Plain arrays, keyed as on the result (``coalition_values_se`` …)."""
        return {
            "coalition_values_se": self.coalition_values, "phi_masking_se": self.phi,
            "Phi_masking_se": self.Phi, "intershap_local_masking_se": self.intershap_local,
            "intershap_masking_se": self.intershap, "design": self.design,
            "rows_per_sample": self.rows_per_sample, "note": self.note,
        }

    def describe(self) -> str:
        """One line for summaries."""
        if self.note and self.intershap == 0:
            return f"masking error: 0 ({self.note})"
        return (f"masking error (1 SE, {self.design} rows, K={self.rows_per_sample}): "
                f"InterSHAP ± {100 * self.intershap:.2f} pts, φ RMS ± {self.phi_rms:.2g}, "
                f"local ± {100 * float(np.nanmean(self.intershap_local)):.2f} pts (mean)")


def exact_masking_error(n: int, m: int, note: str) -> MaskingError:
    """Zero masking error for N samples and M modalities (an exact expectation)."""
    return MaskingError(np.zeros((n, 1 << m)), np.zeros((n, m, m)), np.zeros((m, m)), np.zeros(n), 0.0,
                        "exact", 0, note)


def _ratio_gradient(phi: np.ndarray) -> np.ndarray:
    """d/dφ of Σ_{i≠j}|φ_ij| / Σ_ij|φ_ij| at ``(..., M, M)``; 0 where undefined."""
    a = np.abs(phi)
    total = a.sum(axis=(-2, -1))
    inter = total - np.trace(a, axis1=-2, axis2=-1)
    m = phi.shape[-1]
    off = 1.0 - np.eye(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(total > 0, total, 1.0)[..., None, None]
        g = np.sign(phi) * (off * safe - inter[..., None, None]) / safe**2
    return np.where((total > 0)[..., None, None], g, 0.0)


def _weights(m: int) -> np.ndarray:
    """φ as a linear map of the coalition values: ``(2**M, M, M)``."""
    return games.interaction_matrices(np.eye(1 << m))


def _row_var(a: np.ndarray, groups: np.ndarray | None, count_cov: np.ndarray | None = None,
             fpc: np.ndarray | None = None) -> np.ndarray:
    """Variance of one row, ``(n, ...)``, from per-row values ``a`` ``(n, K, ...)``:
    the variance of their mean is this over K.

    With ``groups`` ``(n, K)`` (the stratum of each row; rows were taken from every
    stratum in proportion, to a row), the pooled within-stratum variance plus the
    error of the rounding in the proportions, ``d' C d / K`` with d the strata's mean
    minus the overall mean and C = ``count_cov`` ``(H, H)`` the covariance of the
    strata counts over the design's arcs (:func:`~intershap_widget.explainers.strata.window_count_cov`,
    already finite-population: divided here by the rows' ``fpc`` ``(n,)``, which the
    caller applies to the whole).
    A stratum with fewer than 2 rows can vouch for nothing: where any stratum has
    fewer, the plain variance is used.
    """
    plain = a.var(axis=1, ddof=1)
    if groups is None:
        return plain
    n, k = groups.shape
    h = int(groups.max()) + 1 if count_cov is None else count_cov.shape[0]
    onehot = np.zeros((n, k, h))
    onehot[np.arange(n)[:, None], np.arange(k)[None, :], groups] = 1.0
    counts = onehot.sum(axis=1)  # (n, H)
    flat = a.reshape(n, k, -1)
    means = np.matmul(onehot.transpose(0, 2, 1), flat) / np.maximum(counts, 1.0)[:, :, None]  # (n, H, F)
    resid = flat - np.matmul(onehot, means)
    df = k - (counts > 0).sum(axis=1)
    within = (resid**2).sum(axis=1) / np.maximum(df, 1)[:, None]
    if count_cov is not None:  # the strata's proportions hold only to a row
        d = np.where((counts > 0)[:, :, None], means - flat.mean(axis=1)[:, None, :], 0.0)
        f = np.ones(n) if fpc is None else np.maximum(np.asarray(fpc, dtype=np.float64), 1e-12)
        within = within + (d * np.matmul(count_cov, d)).sum(axis=1) / (k * f[:, None])
    within = within.reshape(plain.shape)
    enough = (counts >= 2).all(axis=1) if count_cov is not None else df >= 2
    ok = enough.reshape((n,) + (1,) * (plain.ndim - 1))
    return np.where(ok, within, plain)


def masking_error(rows: np.ndarray, values: np.ndarray, design: str, fpc: float | np.ndarray = 1.0,
                  groups: np.ndarray | None = None, count_cov: np.ndarray | None = None) -> MaskingError:
    """Masking standard errors from the per-row outputs of a run.

    rows: ``(N, 2**M, K)`` per-row outputs whose mean over K is the estimate
    (a column that is exact is constant over k); values: ``(N, 2**M)`` the estimates
    (the point where scores are linearised); design: one of :data:`DESIGNS`; fpc:
    1 − K/B, scalar or ``(N,)``; groups: ``(N, K)`` stratum of each row for a
    ``"paired"`` design with proportionally stratified rows (within-stratum variance),
    count_cov: ``(H, H)`` covariance of the strata counts over the design (see
    :func:`_row_var`). Returns a :class:`MaskingError`.
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    rows = np.asarray(rows)
    n, c, k = rows.shape
    m = c.bit_length() - 1
    phi = games.interaction_matrices(values)
    g_loc = _ratio_gradient(phi)  # (N, M, M)
    g_glob = _ratio_gradient(phi.mean(axis=0)) if n else np.zeros((m, m))
    fpc = np.broadcast_to(np.asarray(fpc, dtype=np.float64), (n,))
    if k < 2:
        raise ValueError("the masking error needs at least 2 rows per sample")
    w = _weights(m)
    scale = fpc / k  # (N,)
    mean_phi = phi.mean(axis=0) if n else np.zeros((m, m))
    signs = np.sign(mean_phi)
    funcs = np.stack([signs * (1 - np.eye(m)), signs * np.eye(m)])  # A, D: (2, M, M)
    if design == "independent":
        var_v = rows.var(axis=2, ddof=1) * scale[:, None]  # (N, 2**M)
        var_phi = np.einsum("ns,sij->nij", var_v, w**2)
        u_loc = np.einsum("nij,sij->ns", g_loc, w)
        var_loc = np.einsum("ns,ns->n", u_loc**2, var_v)
        u = np.einsum("fij,sij->fs", funcs, w)  # A and D as functionals of v(S)
        parts = np.stack([var_v @ u[0] ** 2, var_v @ u[1] ** 2, var_v @ (u[0] * u[1])], axis=1)
        var_glob = float(lin_var(parts, mean_phi).sum())
        return _finish(var_v, var_phi, var_loc, var_glob / max(n, 1) ** 2, design, k, parts=parts, signs=signs)
    var_v = np.empty((n, c))
    var_phi = np.empty((n, m, m))
    var_loc = np.empty(n)
    parts = np.empty((n, 3))  # paired design: Var A, Var D, Cov(A, D) per sample
    glob_rows = np.zeros(k)  # shared design: Σ_a G·φ_{a,k} and Σ_a φ_{a,k}
    phi_rows = np.zeros((k, m, m))
    var_glob = 0.0
    step = max(1, _CHUNK_ROWS // max(c * k, 1))
    for s0 in range(0, n, step):
        s1 = min(n, s0 + step)
        y = rows[s0:s1].astype(np.float64)  # (n', C, K)
        grp = None if groups is None or design != "paired" else groups[s0:s1]
        nc = y.shape[0]
        y_k = np.swapaxes(y, 1, 2)  # (n', K, C)
        phi_k = np.matmul(y_k, w.reshape(c, m * m))  # per-row φ (n', K, M·M)
        loc_k = np.matmul(phi_k, g_loc[s0:s1].reshape(nc, m * m, 1))  # (n', K, 1)
        ad = np.matmul(phi_k, funcs.reshape(2, m * m).T)  # (n', K, 2): A and D per row
        # one pass over the rows for every quantity's variance (the strata are built once)
        var = _row_var(np.concatenate([y_k, phi_k, loc_k, ad, ad.sum(axis=2, keepdims=True)], axis=2),
                       grp, count_cov, fpc[s0:s1]) * scale[s0:s1, None]
        var_v[s0:s1], var_loc[s0:s1] = var[:, :c], var[:, c + m * m]
        var_phi[s0:s1] = var[:, c:c + m * m].reshape(nc, m, m)
        if design == "shared":
            glob_rows += np.einsum("ij,nkij->k", g_glob, phi_k.reshape(nc, k, m, m))
            phi_rows += phi_k.sum(axis=0).reshape(k, m, m)
        else:
            v3 = var[:, -3:]
            parts[s0:s1] = np.stack([v3[:, 0], v3[:, 1], (v3[:, 2] - v3[:, 0] - v3[:, 1]) / 2], axis=1)
    if design == "paired" and n:  # a rare large row seen by some samples is possible for all
        var_v, var_phi, var_loc = (floor_at_mean(v) for v in (var_v, var_phi, var_loc))
        var_glob = float(floor_at_mean(lin_var(parts, mean_phi)).sum())
    var_mean = None
    if design == "shared" and n:  # one error for all samples: from the per-row sums
        var_glob = float(glob_rows.var(ddof=1) * fpc[0] / k)
        var_mean = phi_rows.var(axis=0, ddof=1) * fpc[0] / k / n**2
    keep = design != "shared"
    return _finish(var_v, var_phi, var_loc, var_glob / max(n, 1) ** 2, design, k, var_mean,
                   parts if keep else None, signs if keep else None)


def floor_at_mean(var: np.ndarray) -> np.ndarray:
    """Each sample's variance ``(N, ...)`` floored at the mean over samples of the same
    entry (a paired run's rule: a rare large row one sample's K rows missed counts)."""
    return np.maximum(var, var.mean(axis=0)) if var.shape[0] else var


def lin_var(parts: np.ndarray, mean_phi: np.ndarray) -> np.ndarray:
    """Each sample's variance of the global score's linearisation ``(N,)`` from its
    ``parts`` ``(N, 3)`` (Var A, Var D, Cov(A, D)) at the mean φ ``(M, M)``: the
    gradient of Σ_{i≠j}|Φ_ij| / Σ|Φ_ij| is s_ij (1[i≠j] − R) / T, so the
    linearisation is ((1 − R)·A − R·D) / T."""
    a = np.abs(mean_phi)
    total = a.sum()
    if not total > 0:
        return np.zeros(parts.shape[0])
    r = (total - np.trace(a)) / total
    return ((1 - r) ** 2 * parts[:, 0] + r**2 * parts[:, 1] - 2 * r * (1 - r) * parts[:, 2]) / total**2


def _finish(var_v, var_phi, var_loc, var_glob, design, k, var_mean=None, parts=None, signs=None) -> MaskingError:
    n = var_phi.shape[0]
    if var_mean is None:  # independent errors across samples
        var_mean = var_phi.sum(axis=0) / max(n, 1) ** 2
    phi_mean_se = np.sqrt(var_mean)
    return MaskingError(np.sqrt(var_v), np.sqrt(var_phi), phi_mean_se, np.sqrt(var_loc),
                        float(np.sqrt(max(var_glob, 0.0))), design, int(k), parts=parts, signs=signs)
