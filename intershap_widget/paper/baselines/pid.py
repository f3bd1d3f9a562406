"""Partial information decomposition (PID) of two modalities about a target, CVX estimator.

Reference: P. P. Liang et al., "Quantifying & Modeling Multimodal Interactions: An Information
Decomposition Framework", NeurIPS 2023 (the CVX estimator), built on the PID definition of
N. Bertschinger et al., "Quantifying Unique Information", Entropy 2014. InterSHAP (Wenderoth et
al., AAAI 2025, appendix B.4) reports the PID synergy as the cross-modal interaction score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Sequence

import numpy as np

from ._common import as_labels, as_modalities, model_function, predict_batched
from ._kmeans import kmeans_labels

_SOLVERS = ("CLARABEL", "ECOS", "SCS")  # exponential-cone capable solvers, in order of preference


@dataclass(frozen=True)
class PIDResult:
    """The four PID terms (in ``unit``) of I(X1, X2; Y) = redundancy + unique1 + unique2 + synergy."""

    redundancy: float
    unique1: float
    unique2: float
    synergy: float
    total: float  # I_p(X1, X2; Y)
    unit: str = "bits"
    info: dict = field(default_factory=dict, compare=False)

    @property
    def score(self) -> float:
        """The interaction score used in the InterSHAP paper: the synergy."""
        return self.synergy

    def as_dict(self) -> dict:
        return asdict(self)

    def __repr__(self) -> str:
        return (f"PIDResult(R={self.redundancy:.4f}, U1={self.unique1:.4f}, U2={self.unique2:.4f}, "
                f"S={self.synergy:.4f}, I={self.total:.4f} {self.unit})")


def _mutual_information(pxy: np.ndarray) -> float:
    """I(A; B) in nats from a joint table ``pxy`` (|A|, |B|) that sums to 1."""
    px = pxy.sum(axis=1, keepdims=True)
    py = pxy.sum(axis=0, keepdims=True)
    outer = px * py
    mask = pxy > 0
    return float(np.sum(pxy[mask] * np.log(pxy[mask] / outer[mask])))


def _solve_q(P: np.ndarray, solver: str | None) -> tuple[np.ndarray, str]:
    """argmin_q I_q(X1, X2; Y) over q with q(x1, y) = p(x1, y) and q(x2, y) = p(x2, y).

    Equivalent to maximising H_q(Y | X1, X2), because H_q(Y) = H_p(Y) is fixed by the
    constraints. Convex: sum of relative entropies rel_entr(q(x1,x2,y), q(x1,x2) p(y)), with
    q(x1, x2) affine in q. Only cells allowed by both marginals are variables.
    """
    import cvxpy as cp
    import scipy.sparse as sp

    n1, n2, ny = P.shape
    p1y = P.sum(axis=1)  # (n1, ny)
    p2y = P.sum(axis=0)  # (n2, ny)
    py = P.sum(axis=(0, 1))
    allowed = (p1y[:, None, :] > 0) & (p2y[None, :, :] > 0)  # (n1, n2, ny)
    idx = np.flatnonzero(allowed)
    i1, i2, iy = np.unravel_index(idx, P.shape)
    nv = idx.size
    q = cp.Variable(nv, nonneg=True)

    def _selector(rows: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Sparse (n_rows, nv) 0/1 matrix summing the variables into the given rows."""
        return sp.csr_matrix((np.ones(nv), (rows, np.arange(nv))), shape=(n_rows, nv))

    A1 = _selector(i1 * ny + iy, n1 * ny)            # q -> q(x1, y)
    A2 = _selector(i2 * ny + iy, n2 * ny)            # q -> q(x2, y)
    pair_inv = np.unique(i1 * n2 + i2, return_inverse=True)[1].reshape(-1)
    B = _selector(pair_inv, int(pair_inv.max()) + 1)  # q -> q(x1, x2)
    q_pair_times_py = cp.multiply(B.T @ (B @ q), py[iy])  # q(x1, x2) p(y), per variable cell
    objective = cp.Minimize(cp.sum(cp.rel_entr(q, q_pair_times_py)))
    constraints = [A1 @ q == p1y.reshape(-1), A2 @ q == p2y.reshape(-1)]
    problem = cp.Problem(objective, constraints)
    available = set(cp.installed_solvers())
    candidates = [solver] if solver is not None else [s for s in _SOLVERS if s in available]
    if not candidates:
        raise ImportError("no exponential-cone solver found for cvxpy; install `cvxpy` (ships CLARABEL and SCS).")
    last_error: Exception | None = None
    for name in candidates:
        try:
            problem.solve(solver=name)
        except Exception as err:  # pragma: no cover - solver-specific failures
            last_error = err
            continue
        if problem.status in ("optimal", "optimal_inaccurate") and q.value is not None:
            Q = np.zeros(P.size)
            Q[idx] = np.clip(q.value, 0.0, None)
            Q /= Q.sum()
            return Q.reshape(P.shape), name
    raise RuntimeError(f"the PID convex program did not solve (status {problem.status!r}, "
                       f"last error {last_error!r}); try another `solver` or fewer `n_clusters`.")


def _require_cvxpy() -> None:
    try:
        import cvxpy  # noqa: F401
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("PID needs cvxpy: pip install 'intershap-widget[baselines]' (or pip install cvxpy).") from err


def pid_from_distribution(P: np.ndarray, *, unit: Literal["bits", "nats"] = "bits",
                          solver: str | None = None) -> PIDResult:
    """PID of a discrete joint distribution ``P`` (|X1|, |X2|, |Y|) (non-negative, normalised here).

    Definition (Bertschinger et al. 2014; CVX estimator of Liang et al. 2023): with
    Δ_p = {q : q(x1, y) = p(x1, y), q(x2, y) = p(x2, y)} and q* = argmax_{q ∈ Δ_p} H_q(Y | X1, X2),

        redundancy R = I_p(X1; Y) + I_p(X2; Y) − I_q*(X1, X2; Y)
        unique     U1 = I_q*(X1, X2; Y) − I_p(X2; Y),   U2 = I_q*(X1, X2; Y) − I_p(X1; Y)
        synergy    S = I_p(X1, X2; Y) − I_q*(X1, X2; Y)

    so R + U1 + U2 + S = I_p(X1, X2; Y) exactly. ``unit``: "bits" (log 2) or "nats" (natural
    log, the unit of Liang et al.'s code and of the InterSHAP paper's Table 2 PID row).
    """
    P = np.asarray(P, dtype=float)
    if P.ndim != 3:
        raise ValueError(f"P must be a 3-D table (|X1|, |X2|, |Y|); got shape {P.shape}.")
    if np.any(P < 0) or not np.isfinite(P).all() or P.sum() <= 0:
        raise ValueError("P must be finite, non-negative and not all zero.")
    if unit not in ("bits", "nats"):
        raise ValueError(f"unit must be 'bits' or 'nats'; got {unit!r}.")
    _require_cvxpy()
    P = P / P.sum()
    Q, used = _solve_q(P, solver)
    flat = lambda T: T.reshape(-1, T.shape[2])  # noqa: E731  (x1 x2, y)
    i1 = _mutual_information(P.sum(axis=1))
    i2 = _mutual_information(P.sum(axis=0))
    i12 = _mutual_information(flat(P))
    iq = _mutual_information(flat(Q))
    scale = 1.0 / np.log(2.0) if unit == "bits" else 1.0
    return PIDResult(redundancy=(i1 + i2 - iq) * scale, unique1=(iq - i2) * scale,
                     unique2=(iq - i1) * scale, synergy=(i12 - iq) * scale, total=i12 * scale,
                     unit=unit, info={"solver": used, "shape": tuple(P.shape)})


def joint_distribution(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Empirical joint distribution (|A|, |B|, |C|) of three (N,) discrete label arrays."""
    ia = np.unique(a, return_inverse=True)[1].reshape(-1)
    ib = np.unique(b, return_inverse=True)[1].reshape(-1)
    ic = np.unique(c, return_inverse=True)[1].reshape(-1)
    P = np.zeros((ia.max() + 1, ib.max() + 1, ic.max() + 1))
    np.add.at(P, (ia, ib, ic), 1.0)
    return P / P.sum()


def _pca(x: np.ndarray, n_components: int) -> np.ndarray:
    x = x - x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return x @ vt[:n_components].T


def discretize(x: np.ndarray, n_clusters: int = 20, *, seed: int = 0, n_components: int | None = None,
               l2_normalize: bool = False) -> np.ndarray:
    """Cluster one modality (N, ...) into ``n_clusters`` bins with seeded k-means; returns (N,) ints.

    Optional preprocessing (as in the InterSHAP authors' PID script): L2-normalise each row,
    then project onto the first ``n_components`` principal components.
    """
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    x = np.nan_to_num(x)
    if l2_normalize:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = x / np.where(norms > 0, norms, 1.0)
    if n_components is not None and n_components < x.shape[1]:
        x = _pca(x, n_components)
    return kmeans_labels(x, n_clusters, seed=seed)


def pid(model: Any, X: Sequence[Any], y: Any = None, *, target: Literal["labels", "predictions"] = "labels",
        n_clusters: int | Sequence[int] = 20, seed: int = 0, n_components: int | None = None,
        l2_normalize: bool = False, unit: Literal["bits", "nats"] = "bits", solver: str | None = None,
        batch_size: int = 4096) -> PIDResult:
    """PID (redundancy, unique1, unique2, synergy) of two modalities about the labels or the predictions.

    ``X``: [X1 (N, ...), X2 (N, ...)]. Each modality is discretised into ``n_clusters`` bins
    (one int, or one per modality) with seeded k-means (see :func:`discretize`); the plug-in joint
    distribution of (bin1, bin2, target) is decomposed by :func:`pid_from_distribution` (CVX
    estimator of Liang et al. 2023; definitions there). ``target="labels"`` decomposes the
    information about ``y`` (N,) — a property of the data, as in the InterSHAP paper;
    ``target="predictions"`` uses the model's predicted classes argmax f(x) instead, which
    measures what the model computes (``y`` then optional, ``model`` required). ``model`` may be
    None for ``target="labels"``. Returns a :class:`PIDResult`; ``.synergy`` is the interaction
    score. Plug-in estimates are biased upwards for many bins and few samples.
    """
    _require_cvxpy()
    X = as_modalities(X, exactly=2, score="PID")
    n = X[0].shape[0]
    if target not in ("labels", "predictions"):
        raise ValueError(f"target must be 'labels' or 'predictions'; got {target!r}.")
    if target == "labels":
        if y is None:
            raise ValueError("PID with target='labels' needs y; pass y or use target='predictions' with a model.")
        t = as_labels(y, n)
    else:
        if model is None:
            raise ValueError("PID with target='predictions' needs a model.")
        if y is not None:
            as_labels(y, n)
        t = np.argmax(predict_batched(model_function(model), X, batch_size), axis=1)
    ks = [n_clusters] * 2 if np.isscalar(n_clusters) else list(n_clusters)
    if len(ks) != 2 or any(int(k) < 1 for k in ks):
        raise ValueError(f"n_clusters must be a positive int or two of them; got {n_clusters!r}.")
    bins = [discretize(x, int(k), seed=seed + i, n_components=n_components, l2_normalize=l2_normalize)
            for i, (x, k) in enumerate(zip(X, ks))]
    res = pid_from_distribution(joint_distribution(bins[0], bins[1], t), unit=unit, solver=solver)
    info = dict(res.info, target=target, n_clusters=tuple(int(k) for k in ks), n_samples=n, seed=seed,
                n_components=n_components, l2_normalize=l2_normalize,
                n_target_classes=int(np.unique(t).size))
    return PIDResult(res.redundancy, res.unique1, res.unique2, res.synergy, res.total, res.unit, info)
