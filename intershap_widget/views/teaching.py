"""``ShapleyGameWidget``: a small cooperative game (2-4 players) to learn Shapley values
and Shapley interactions by editing coalition values.

The front end (``js/game_widget.js``, bundled to ``static/game.js``) recomputes
everything live with ``js/game.js``; Python computes the same numbers with
:mod:`intershap_widget.maths.games` (``w.shapley``, ``w.phi``, ``w.intershap``).

Presets (M = number of players; v(∅) = 0 for all of them):

* ``xor``: pure synergy, v(S) = 1 only for S = N. The game of a perfect model of the
  parity of fair coins with absent players averaged out: no proper subset tells anything.
* ``and``: v(S) = (2^|S| − 1)/(2^M − 1): a perfect AND of fair coins at the all-true
  input, absent players averaged out, scaled to v(N) = 1 (main effects and synergy).
* ``or``: v(S) = 1 for every non-empty S (full redundancy): OR at the all-true input.
* ``additive``: v(S) = Σ_{i∈S} (i+1): no interactions, φ_ii = i + 1.
* ``redundant``: players 0 and 1 carry the same signal (1 alone or together), every
  further player adds its own 1. With 2 players this is ``or``.
* ``majority``: v(S) = 1 when |S| > M/2. With 2 players this is ``xor``.
"""

from __future__ import annotations

from math import factorial
from typing import Any

import anywidget
import numpy as np
import traitlets

from ..maths.games import interaction_matrices, shapley_values
from ..maths.result import InteractionResult
from .widget import _STATIC, FrontEndMissingError

__all__ = ["PRESETS", "ShapleyGameWidget", "detect_preset", "pair_terms", "preset_values", "resize_game"]

_BUNDLE = _STATIC / "game.js"
MIN_PLAYERS, MAX_PLAYERS = 2, 4

#: Preset name -> what the game is (shown in the widget; the same text as js/game.js).
PRESETS: dict[str, str] = {
    "xor": "XOR (pure synergy): v(S) = 1 only when every player is present, else 0. The game of a perfect model of the parity (XOR) of fair coins, with the absent players averaged out: no proper subset tells anything.",
    "and": "AND: v(S) = (2^|S| − 1)/(2^M − 1). The game of a perfect model of the AND of fair coins at the all-true input, absent players averaged out, scaled to v(N) = 1: main effects plus synergy.",
    "or": "OR (full redundancy): v(S) = 1 as soon as one player is present. The OR of fair coins at the all-true input, scaled to v(N) = 1: any player alone already gives everything.",
    "additive": "additive: v(S) = the sum of (i+1) over the players i in S, i.e. players are worth 1, 2, 3, 4 on their own and nothing more together: no interactions.",
    "redundant": "redundant: the first two players carry the same signal (either alone or both: 1), every further player adds its own 1. With 2 players this is OR.",
    "majority": "majority vote: v(S) = 1 when S holds more than half of the players, else 0. With 2 players this is XOR (both needed).",
}


def _check_players(m: int) -> int:
    if not MIN_PLAYERS <= m <= MAX_PLAYERS:
        raise ValueError(f"the teaching game has {MIN_PLAYERS} to {MAX_PLAYERS} players, got {m}")
    return m


def preset_values(name: str, n_players: int) -> np.ndarray:
    """Coalition values of preset ``name`` for M players, shape ``(2**M,)`` (bitmask order)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)} (or set values yourself)")
    m = _check_players(int(n_players))
    s = np.arange(1 << m)
    members = (s[:, None] >> np.arange(m)) & 1  # (2**M, M)
    size = members.sum(axis=1)
    if name == "xor":
        v = (s == (1 << m) - 1).astype(float)
    elif name == "and":
        v = (2.0**size - 1) / (2.0**m - 1)
    elif name == "or":
        v = (size > 0).astype(float)
    elif name == "additive":
        v = members @ np.arange(1.0, m + 1)
    elif name == "redundant":
        v = (members[:, :2].any(axis=1)).astype(float) + members[:, 2:].sum(axis=1)
    else:  # majority
        v = (size > m / 2).astype(float)
    return v.astype(np.float64)


def detect_preset(values: Any, prefer: str | None = None) -> str:
    """The preset whose coalition values equal ``values`` ``(2**M,)`` (to 1e-12): ``prefer``
    when it matches (some presets coincide for M = 2), else the first in :data:`PRESETS`
    order; ``"custom"`` when none does."""
    v = np.asarray(values, dtype=np.float64).ravel()
    m = v.size.bit_length() - 1
    if v.size != 1 << m or not MIN_PLAYERS <= m <= MAX_PLAYERS:
        return "custom"
    names = ([prefer] if prefer in PRESETS else []) + list(PRESETS)
    for name in names:
        if np.allclose(v, preset_values(name, m), rtol=0, atol=1e-12):
            return name
    return "custom"


def resize_game(values: np.ndarray, n_players: int) -> np.ndarray:
    """The game ``(2**M_old,)`` resized to M players ``(2**M,)``: new players are null
    players, removed ones are dropped (the game restricted to the first M players)."""
    v = np.asarray(values, dtype=np.float64)
    old = v.size.bit_length() - 1
    keep = (1 << min(old, int(n_players))) - 1
    return v[np.arange(1 << int(n_players)) & keep]


def pair_terms(values: np.ndarray, i: int, j: int) -> list[dict[str, Any]]:
    """The terms that add up to φ_ij (i ≠ j), one dict per S ⊆ N∖{i,j}: ``S`` (bitmask),
    ``weight`` = |S|!(M−|S|−2)!/(2(M−1)!), ``nabla`` = ∇_ij(S), ``term`` = weight·∇.

    ``values``: ``(2**M,)`` coalition values. Rows are ordered by |S|, then bitmask.
    """
    v = np.asarray(values, dtype=np.float64)
    m = v.size.bit_length() - 1
    if i == j or not (0 <= i < m and 0 <= j < m):
        raise ValueError(f"pair_terms needs two different players in 0..{m - 1}, got ({i}, {j})")
    bi, bj = 1 << i, 1 << j
    rest = [s for s in range(1 << m) if not s & (bi | bj)]
    rest.sort(key=lambda s: (bin(s).count("1"), s))
    rows = []
    for s in rest:
        k = bin(s).count("1")
        w = factorial(k) * factorial(m - k - 2) / (2 * factorial(m - 1))
        nabla = v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s]
        rows.append({"S": s, "weight": w, "nabla": float(nabla), "term": float(w * nabla)})
    return rows


def _load_bundle() -> str:
    if not _BUNDLE.exists():
        raise FrontEndMissingError(
            f"the teaching widget's front end {_BUNDLE} is missing: install the package with "
            "`pip install .` (which builds it) or run `npm install && npm run build` in js/"
        )
    return _BUNDLE.read_text(encoding="utf-8")


class ShapleyGameWidget(anywidget.AnyWidget):
    """A cooperative game of 2-4 players whose coalition values you edit, with its
    Shapley values, interaction matrix φ, InterSHAP and the terms behind each φ_ij.

    Traits (read, observe and set them from Python; the front end sets them too):

    * ``values``: list of 2**M floats, v(S) in bitmask order (bit i = player i present).
    * ``players``: list of M player names (2-4). Changing M re-derives the preset's
      values, or extends a custom game with null players / restricts it.
    * ``preset``: one of :data:`PRESETS` or ``"custom"`` (set when values are edited).
    * ``selected_pair``: ``(i, j)`` whose terms table is shown (``(i, i)``: Shapley terms
      and main effect), or ``()``.

    ``w.shapley`` ``(M,)``, ``w.phi`` ``(M, M)`` and ``w.intershap`` are computed with
    :mod:`intershap_widget.maths.games`; ``w.result`` is the game as a one-sample
    :class:`InteractionResult`.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    values = traitlets.List(traitlets.Float()).tag(sync=True)
    players = traitlets.List(traitlets.Unicode()).tag(sync=True)
    preset = traitlets.Unicode("xor").tag(sync=True)
    selected_pair = traitlets.Tuple().tag(sync=True)

    def __init__(
        self,
        preset: str = "xor",
        players: list[str] | tuple[str, ...] | int = ("A", "B", "C"),
        values: Any = None,
        selected_pair: tuple[int, ...] = (0, 1),
        **kwargs: Any,
    ) -> None:
        names = [chr(65 + i) for i in range(players)] if isinstance(players, int) else list(players)
        if values is None:
            values = preset_values(preset, len(names))
        else:
            preset = detect_preset(values, preset)
        super().__init__(_esm=_load_bundle(), players=names, preset=preset,
                         values=[float(x) for x in np.asarray(values, dtype=float).ravel()],
                         selected_pair=tuple(selected_pair), **kwargs)

    # -------------------------------------------------------------- validation
    @traitlets.validate("players")
    def _check_names(self, proposal: Any) -> list[str]:
        names = [str(n) for n in proposal["value"]]
        if not MIN_PLAYERS <= len(names) <= MAX_PLAYERS:
            raise traitlets.TraitError(f"players needs {MIN_PLAYERS} to {MAX_PLAYERS} names, got {len(names)}")
        if any(not n.strip() for n in names) or len(set(names)) != len(names):
            raise traitlets.TraitError(f"player names must be non-empty and distinct, got {names}")
        return names

    @traitlets.validate("values")
    def _check_values(self, proposal: Any) -> list[float]:
        v = [float(x) for x in proposal["value"]]
        m = len(self.players)
        if m and len(v) != 1 << m:
            raise traitlets.TraitError(
                f"values needs 2**M = {1 << m} coalition values for the {m} players {self.players}, got {len(v)}"
            )
        if not all(np.isfinite(v)):
            raise traitlets.TraitError("coalition values must be finite numbers")
        return v

    @traitlets.validate("preset")
    def _check_preset(self, proposal: Any) -> str:
        name = str(proposal["value"])
        if name != "custom" and name not in PRESETS:
            raise traitlets.TraitError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)} or 'custom'")
        return name

    @traitlets.validate("selected_pair")
    def _check_pair(self, proposal: Any) -> tuple:
        pair = tuple(int(x) for x in proposal["value"])
        m = len(self.players)
        if pair and (len(pair) != 2 or not all(0 <= x < m for x in pair)):
            raise traitlets.TraitError(f"selected_pair must be () or (i, j) with 0 <= i, j < {m}, got {pair}")
        return pair

    # ------------------------------------------------------- keeping in step
    @traitlets.observe("players")
    def _on_players(self, change: Any) -> None:
        m = len(change["new"])
        if len(self.values) == 1 << m:  # the front end sent matching values along
            return
        with self.hold_trait_notifications():
            if self.preset != "custom":
                self.values = preset_values(self.preset, m).tolist()
            else:
                self.values = resize_game(np.asarray(self.values), m).tolist()
            if self.selected_pair and max(self.selected_pair) >= m:
                self.selected_pair = ()

    @traitlets.observe("preset")
    def _on_preset(self, change: Any) -> None:
        if change["new"] == "custom":
            return
        target = preset_values(change["new"], len(self.players))
        if len(self.values) != target.size or not np.allclose(self.values, target, rtol=0, atol=1e-12):
            self.values = target.tolist()

    @traitlets.observe("values")
    def _on_values(self, change: Any) -> None:
        # values equal to a preset read as that preset, wherever they were set
        if len(change["new"]) == 1 << len(self.players):
            self.preset = detect_preset(change["new"], self.preset)

    # ------------------------------------------------------------- read back
    @property
    def n_players(self) -> int:
        """M, the number of players."""
        return len(self.players)

    @property
    def shapley(self) -> np.ndarray:
        """Shapley values ``(M,)`` of the game (:func:`intershap_widget.maths.games.shapley_values`)."""
        return shapley_values(np.asarray(self.values))[0]

    @property
    def phi(self) -> np.ndarray:
        """Interaction matrix ``(M, M)``: off-diagonal half SII, diagonal main effects."""
        return interaction_matrices(np.asarray(self.values))[0]

    @property
    def result(self) -> InteractionResult:
        """The game as a one-sample :class:`InteractionResult` (players = modalities)."""
        return InteractionResult(np.asarray(self.values, dtype=float)[None, :], modality_names=list(self.players),
                                 target="game")

    @property
    def intershap(self) -> float:
        """InterSHAP of the game: Σ_{i≠j}|φ_ij| / Σ_ij|φ_ij| (NaN when φ is all zero)."""
        return float(self.result.intershap)

    def terms(self, i: int, j: int) -> list[dict[str, Any]]:
        """The rows of the terms table of φ_ij (see :func:`pair_terms`)."""
        return pair_terms(np.asarray(self.values), i, j)

    def summary(self) -> str:
        """Coalition values, Shapley values, φ and InterSHAP as text."""
        names = list(self.players)
        m = len(names)
        width = max(8, max(len(n) for n in names))
        label = lambda s: "{" + ", ".join(names[i] for i in range(m) if s >> i & 1) + "}" if s else "∅"  # noqa: E731
        lines = [f"ShapleyGameWidget: {m} players, preset {self.preset!r}", "  coalition values v(S):"]
        lines += [f"    {label(s):<{4 * m + 2}} {v:10.4g}" for s, v in enumerate(self.values)]
        lines.append("  Shapley values: " + ", ".join(f"{n} {x:.4g}" for n, x in zip(names, self.shapley)))
        lines.append(f"  InterSHAP = {100 * self.intershap:.1f} %" if np.isfinite(self.intershap) else "  InterSHAP = n/a")
        lines.append("  phi (off-diagonal: half SII; diagonal: main effects):")
        lines.append("    " + " " * width + "".join(f"{n[:10]:>12}" for n in names))
        phi = self.phi
        lines += [f"    {n:<{width}}" + "".join(f"{x:12.4g}" for x in phi[i]) for i, n in enumerate(names)]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        """The widget view plus a PNG of φ and a text summary (for places without JS)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None:
            data.update(_static_bundle(self, include, exclude))
        return bundle


def game_png(w: ShapleyGameWidget, *, dpi: int = 100) -> bytes:
    """PNG bytes of the game's signed φ heatmap (:func:`intershap_widget.views.plots.heatmap`)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .plots.heatmap import heatmap

    m = w.n_players
    fig = Figure(figsize=(1.3 * m + 2.6, 1.15 * m + 1.6), facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    title = f"φ of the game ({w.preset}), InterSHAP {100 * w.intershap:.0f} %" if np.isfinite(w.intershap) \
        else f"φ of the game ({w.preset})"
    heatmap(w.result, sample=0, ax=ax, title=title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    from PIL import Image  # a dependency of matplotlib; a palette PNG is a third of the size

    out = io.BytesIO()
    Image.open(io.BytesIO(buf.getvalue())).convert("RGB").quantize(colors=256).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _static_bundle(w: ShapleyGameWidget, include: Any, exclude: Any) -> dict[str, str]:
    from .plots.static import picture_and_text

    return picture_and_text(lambda: game_png(w), w.summary, include, exclude)
