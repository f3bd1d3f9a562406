"""A small ``transformers`` vision-language classifier on synthetic data whose label needs
both the text and the image, plus a tabular modality: the worked example of
"Explaining a transformers model" (README, ``notebooks/06_transformer_model.ipynb``).

Architecture (CLIP-style dual encoder with a fusion head, random init, small configs,
nothing downloaded): a BERT text encoder (``input_ids``, ``attention_mask`` → the
mean state of the attended tokens), a ViT image encoder (``pixel_values`` → the ``[CLS]`` state), an MLP on
``tabular`` and an MLP fusion head on the three encodings. ``forward(input_ids,
attention_mask, pixel_values, tabular)`` returns a ``SequenceClassifierOutput`` with
``.logits``: the transformers conventions, so ``isw.explain`` calls it with keywords and
reads ``.logits``. :meth:`VisionLanguageClassifier.factorised` gives the same model as
``isw.Factorised`` (encoders once, the head per coalition).

Data (:func:`make_data`): a sentence of random words holding "red" or "blue" (bit t), a
noisy image with a bright square in its top or bottom half (bit i), four tabular
features; label = (t XOR i) OR (tabular[0] > 1): text and image only matter together.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["VOCAB", "make_data", "VisionLanguageClassifier", "train", "accuracy", "load", "main"]

#: token ids: 0 [PAD], 1 [CLS], 2 [SEP], 3 [MASK], 4 "red", 5 "blue", 6.. other words
VOCAB = {"pad": 0, "cls": 1, "sep": 2, "mask": 3, "red": 4, "blue": 5, "size": 24}
SEQ_LEN, IMAGE_SIZE, N_TAB = 12, 16, 4


def make_data(n: int, seed: int = 0) -> tuple[dict, np.ndarray]:
    """``(X, y)``: X = ``{"text": {"input_ids", "attention_mask"} (n, 12) int64, "image":
    {"pixel_values"} (n, 3, 16, 16) float32, "tabular": (n, 4) float32}``, y ``(n,)`` int64."""
    rng = np.random.default_rng(seed)
    t, i = rng.integers(0, 2, n), rng.integers(0, 2, n)
    length = rng.integers(5, SEQ_LEN - 1, n)  # words, without [CLS] and [SEP]
    ids = np.zeros((n, SEQ_LEN), dtype=np.int64)
    words = rng.integers(6, VOCAB["size"], (n, SEQ_LEN))
    pos = np.arange(SEQ_LEN)[None, :]
    ids[:] = np.where((pos >= 1) & (pos <= length[:, None]), words, 0)
    ids[:, 0] = VOCAB["cls"]
    ids[np.arange(n), length + 1] = VOCAB["sep"]
    ids[np.arange(n), 1 + rng.integers(0, length)] = VOCAB["red"] + t  # the colour word
    img = (0.3 * rng.normal(size=(n, 3, IMAGE_SIZE, IMAGE_SIZE))).astype(np.float32)
    half = IMAGE_SIZE // 2
    r0 = np.where(i == 1, 0, half) + rng.integers(0, half - 4, n)
    c0 = rng.integers(0, IMAGE_SIZE - 4, n)
    for a in range(n):
        img[a, :, r0[a]:r0[a] + 4, c0[a]:c0[a] + 4] += 1.5
    tab = rng.normal(size=(n, N_TAB)).astype(np.float32)
    y = ((t ^ i) | (tab[:, 0] > 1.0)).astype(np.int64)
    X = {"text": {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)},
         "image": {"pixel_values": img}, "tabular": tab}
    return X, y


def _modules():
    import torch
    from transformers import BertConfig, BertModel, ViTConfig, ViTModel
    from transformers.modeling_outputs import SequenceClassifierOutput

    class TextEncoder(torch.nn.Module):
        """BERT: ``(input_ids, attention_mask)`` → the mean attended state ``(B, hidden)``."""

        def __init__(self, hidden: int) -> None:
            super().__init__()
            cfg = BertConfig(vocab_size=VOCAB["size"], hidden_size=hidden, num_hidden_layers=1,
                             num_attention_heads=2, intermediate_size=2 * hidden, max_position_embeddings=SEQ_LEN,
                             pad_token_id=VOCAB["pad"], attn_implementation="eager")
            self.bert = BertModel(cfg, add_pooling_layer=False)

        def forward(self, input_ids, attention_mask):
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask[..., None].to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1.0)  # mean over the attended tokens

    class ImageEncoder(torch.nn.Module):
        """ViT: ``pixel_values (B, 3, 16, 16)`` → the ``[CLS]`` state ``(B, hidden)``."""

        def __init__(self, hidden: int) -> None:
            super().__init__()
            cfg = ViTConfig(image_size=IMAGE_SIZE, patch_size=4, num_channels=3, hidden_size=hidden,
                            num_hidden_layers=1, num_attention_heads=2, intermediate_size=2 * hidden,
                            attn_implementation="eager")
            self.vit = ViTModel(cfg, add_pooling_layer=False)

        def forward(self, pixel_values):
            return self.vit(pixel_values=pixel_values).last_hidden_state[:, 0]

    class Head(torch.nn.Module):
        """Fusion head: the list of three encodings → logits ``(B, 2)``."""

        def __init__(self, width: int) -> None:
            super().__init__()
            self.mlp = torch.nn.Sequential(torch.nn.Linear(width, 64), torch.nn.GELU(), torch.nn.Linear(64, 2))

        def forward(self, zs):
            return self.mlp(torch.cat(list(zs), dim=1))

    class VisionLanguageClassifier(torch.nn.Module):
        """``forward(input_ids, attention_mask, pixel_values, tabular)`` → ``.logits (B, 2)``."""

        def __init__(self, hidden: int = 32, seed: int = 0) -> None:
            super().__init__()
            torch.manual_seed(seed)
            self.text_encoder = TextEncoder(hidden)
            self.image_encoder = ImageEncoder(hidden)
            self.tabular_encoder = torch.nn.Sequential(torch.nn.Linear(N_TAB, 16), torch.nn.GELU())
            self.head = Head(2 * hidden + 16)

        def forward(self, input_ids, attention_mask, pixel_values, tabular):
            zs = [self.text_encoder(input_ids, attention_mask), self.image_encoder(pixel_values),
                  self.tabular_encoder(tabular)]
            return SequenceClassifierOutput(logits=self.head(zs))

        def factorised(self):
            """The same model as ``isw.Factorised``: three encoders and the fusion head."""
            from ..explainers.factorised import Factorised

            return Factorised([self.text_encoder, self.image_encoder, self.tabular_encoder], self.head)

    return VisionLanguageClassifier


def VisionLanguageClassifier(hidden: int = 32, seed: int = 0) -> Any:
    """A new (random) classifier; needs ``torch`` and ``transformers``."""
    return _modules()(hidden=hidden, seed=seed)


def _batch(X: dict, idx: np.ndarray) -> dict:
    import torch

    t = lambda a: torch.as_tensor(a[idx])  # noqa: E731
    return dict(input_ids=t(X["text"]["input_ids"]), attention_mask=t(X["text"]["attention_mask"]),
                pixel_values=t(X["image"]["pixel_values"]), tabular=t(X["tabular"]))


def train(model: Any, X: dict, y: np.ndarray, *, seconds: float = 60.0, max_steps: int | None = None,
          batch_size: int = 64, lr: float = 3e-3, seed: int = 0) -> list[float]:
    """Adam on the cross-entropy for ``seconds`` (or ``max_steps``); returns the losses."""
    import torch

    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses, start, step = [], time.perf_counter(), 0
    yt = torch.as_tensor(y)
    while (max_steps is None or step < max_steps) and time.perf_counter() - start < seconds:
        idx = rng.integers(0, len(y), batch_size)
        loss = torch.nn.functional.cross_entropy(model(**_batch(X, idx)).logits, yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
    model.eval()
    return losses


def accuracy(model: Any, X: dict, y: np.ndarray) -> float:
    """Share of correct predictions."""
    import torch

    with torch.no_grad():
        pred = model(**_batch(X, np.arange(len(y)))).logits.argmax(1).numpy()
    return float((pred == y).mean())


#: weights shipped with the package: ``main(["--seconds", "60", "--out", WEIGHTS])`` (one
#: minute on one CPU thread, held-out accuracy 0.993)
WEIGHTS = str(Path(__file__).with_name("vl_classifier.pt"))


def load(path: str | None = None, hidden: int = 32) -> Any:
    """A classifier with the weights saved at ``path`` (by :func:`main`; default: the trained
    weights shipped with the package, :data:`WEIGHTS`), in eval mode."""
    import torch

    path = WEIGHTS if path is None else path
    model = VisionLanguageClassifier(hidden=hidden)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    """Train on 30 000 synthetic samples for ``--seconds`` (one torch thread), print the
    held-out accuracy and save the weights: ``python -m intershap_widget.paper.vision_language
    --seconds 60 --out notebooks/vl_classifier.pt``."""
    import argparse

    import torch

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--out", default="vl_classifier.pt")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    X, y = make_data(30_000, seed=args.seed)
    Xt, yt = make_data(1000, seed=args.seed + 1)
    model = VisionLanguageClassifier(seed=args.seed)
    losses = train(model, X, y, seconds=args.seconds, seed=args.seed, lr=1e-3)
    print(f"{len(losses)} steps, last loss {np.mean(losses[-20:]):.3f}, held-out accuracy {accuracy(model, Xt, yt):.3f}")
    torch.save(model.state_dict(), args.out)


if __name__ == "__main__":
    main()
