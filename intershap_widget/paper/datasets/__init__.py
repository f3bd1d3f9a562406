"""Synthetic multimodal benchmarks of the InterSHAP paper (appendix A) and the XOR oracle.

* :func:`hd_xor` — high-dimensional XOR (Algorithm 1), 2–5 modalities, settings
  ``"uniqueness<u>"`` (only modality u carries the label), ``"synergy"``,
  ``"redundancy"`` and ``"random"``.
* :func:`sum_dataset` — the SUM ensemble for two modalities (Liang et al. 2023 style),
  settings ``"uniqueness1"``, ``"uniqueness2"``, ``"mix1"``, ``"mix2"``, ``"synergy"``,
  ``"redundancy"``.
* :func:`xor_oracle` — the paper's baseline "model" (Algorithm 2): XOR of the clear bits,
  as one-hot class probabilities, computed from per-modality *bit views*
  (:meth:`MultimodalDataset.bits_view`) so that masking a modality masks its bits.

Generator details (Algorithm 1 plus the authors' released generator where the paper is
silent): latent size ``d = 200``; two bits (or M bits for synergy with M >= 3) drawn
from Bernoulli(1/2); label 1 iff exactly one bit is 1 (XOR for two bits; for M >= 3
synergy the classes are balanced exactly, label-1 samples uniform over the M one-hot
patterns, label-0 samples uniform over the others). ``label="parity"`` instead labels
by y = i_1 ⊕ … ⊕ i_M (the paper's Algorithm 1 as printed), again with exactly balanced
classes, each half uniform over its 2**(M-1) patterns; for two bits both rules are XOR. A bit becomes a Gaussian vector
with mean +loc (bit 1) or -loc (bit 0): for uniqueness/redundancy each of the two bits
fills ``d/2`` entries, ``loc = 0.35`` (uniqueness) and ``0.25`` (redundancy), scale 1;
for synergy each bit fills a whole ``d`` vector of its own modality with ``loc = 0.35``
and scale 2. Redundancy copies the same latent vector to every modality; uniqueness
gives the other modalities N(0, 1) noise. Each modality m is finally projected to its
size by its own matrix ``P_m ~ U(-0.5, 0.5)`` of shape ``(dims[m], d)``.

Modules: :mod:`.dataset` (the data set type and its splits), :mod:`.hdxor` and
:mod:`.sum_data` (the generators), :mod:`.labels` (the label rules and the XOR oracle).
"""

from __future__ import annotations

from .dataset import MultimodalDataset, stratified_split
from .hdxor import HD_XOR_DIMS, hd_xor
from .labels import LABELS, label_bits, xor_oracle
from .sum_data import sum_dataset

__all__ = [
    "MultimodalDataset",
    "HD_XOR_DIMS",
    "hd_xor",
    "sum_dataset",
    "xor_oracle",
    "label_bits",
    "stratified_split",
]
