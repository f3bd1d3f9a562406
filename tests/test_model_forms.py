"""Models as researchers hold them: a contrastive model whose output is batch-by-batch
(a tiny random CLIPModel: text = ids + mask as one modality, image = pixel values),
encoders that return a ModelOutput, dict or tuple (Factorised), a BERT on a sentence
pair whose modalities share keyword names, float token ids, and what a plain callable
receives for each input form."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
import intershap_widget as isw  # noqa: E402
from intershap_widget.maths.errors import InputError  # noqa: E402
from intershap_widget.explainers.outputs import OutputError  # noqa: E402


@pytest.fixture(scope="module")
def clip():
    torch.manual_seed(0)
    text = dict(vocab_size=40, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                max_position_embeddings=10, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    vision = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=8,
                  patch_size=4, num_channels=3)
    model = transformers.CLIPModel(transformers.CLIPConfig(text_config=text, vision_config=vision,
                                                            projection_dim=8)).eval()
    g = torch.Generator().manual_seed(1)
    n = 10
    ids = torch.randint(3, 40, (n, 6), generator=g)
    ids[:, 0], ids[:, -1] = 1, 2
    mask = torch.ones(n, 6, dtype=torch.long)
    mask[::3, 4] = 0
    pixels = torch.randn(n, 3, 8, 8, generator=g)
    X = {"text": {"input_ids": ids[:6], "attention_mask": mask[:6]}, "image": {"pixel_values": pixels[:6]}}
    B = {"text": {"input_ids": ids[6:], "attention_mask": mask[6:]}, "image": {"pixel_values": pixels[6:]}}
    return model, X, B


class Wrapped(torch.nn.Module):
    """A function of torch tensors around a transformers model, as a torch module (so it
    is fed tensors: a plain callable gets numpy arrays)."""

    def __init__(self, model, fn):
        super().__init__()
        self.model, self.fn = model, fn

    def forward(self, *args):
        return self.fn(*args)


def _pair_score(model):
    """The matched pair's score written by hand: scaled cosine of each row's own text and image."""

    def score(text, image):
        t = model.get_text_features(**text).pooler_output
        v = model.get_image_features(**image).pooler_output
        t, v = t / t.norm(dim=-1, keepdim=True), v / v.norm(dim=-1, keepdim=True)
        return model.logit_scale.exp() * (t * v).sum(-1)

    return Wrapped(model, score)


def test_clip_diagonal_is_the_matched_pairs_score(clip):
    model, X, B = clip
    res = isw.explain(model, X, B, output_key=isw.diagonal("logits_per_image"), progress=False)
    assert res.settings["output"] == "regression"
    ref = isw.explain(_pair_score(model), X, B, call="positional", progress=False)
    np.testing.assert_allclose(res.coalition_values, ref.coalition_values, rtol=0, atol=2e-5)
    assert np.abs(res.phi).max() > 1e-3  # the scores move: a real comparison
    np.testing.assert_allclose(res.phi.sum((1, 2)), res.prediction - res.base_value, atol=1e-9)


def test_a_batch_by_batch_output_says_to_explain_the_diagonal(clip):
    model, X, B = clip
    with pytest.raises(ValueError, match=r"batch-by-batch.*logits_per_image.*output_key=isw\.diagonal"):
        isw.explain(model, X, B, output_key="logits_per_image", progress=False)


def test_a_square_output_is_caught_even_when_its_side_equals_the_class_count():
    """Probe rows = background rows = 2: a (B, B) output looks like two classes; one row tells."""
    rng = np.random.default_rng(0)
    X, B = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))], [rng.normal(size=(2, 3)), rng.normal(size=(2, 3))]
    with pytest.raises(ValueError, match=r"on one probe row.*batch-by-batch"):
        isw.explain(lambda xs: xs[0] @ xs[1].T, X, B, progress=False)
    res = isw.explain(lambda xs: xs[0] @ xs[1].T, X, B, output_key=isw.diagonal(), progress=False)
    np.testing.assert_allclose(res.prediction, np.sum(X[0] * X[1], axis=1), atol=1e-12)


def test_diagonal_refuses_an_output_that_is_not_square():
    with pytest.raises(OutputError, match=r"isw\.diagonal\('scores'\) reads a batch-by-batch output.*\(4, 3\)"):
        isw.diagonal("scores")({"scores": np.ones((4, 3))})


def test_factorised_reads_model_outputs_of_encoders(clip):
    model, X, B = clip
    head = _CosineHead(model)
    plain = isw.explain(model, X, B, output_key=isw.diagonal("logits_per_image"), progress=False)
    # get_text_features returns a BaseModelOutputWithPooling: read at pooler_output by the rule
    fast = isw.explain(isw.Factorised([model.get_text_features, model.get_image_features], head), X, B,
                       progress=False)
    np.testing.assert_allclose(fast.coalition_values, plain.coalition_values, rtol=0, atol=2e-5)
    assert fast.settings["factorised"]
    as_dict = isw.Factorised([lambda **t: dict(model.get_text_features(**t)), lambda **v: tuple(
        model.get_image_features(**v).to_tuple()[::-1])], head, encoder_output=["pooler_output", 0])
    with torch.inference_mode():
        again = isw.explain(as_dict, X, B, progress=False)
    np.testing.assert_allclose(again.coalition_values, fast.coalition_values, rtol=0, atol=1e-6)


class _CosineHead(torch.nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.scale = clip.logit_scale

    def forward(self, zs):
        t, v = (z / z.norm(dim=-1, keepdim=True) for z in zs)
        return self.scale.exp() * (t * v).sum(-1)


def test_an_unreadable_encoder_output_names_encoder_output():
    enc = [lambda x: {"a": x, "b": x}, lambda x: x]
    with pytest.raises(OutputError, match=r"encoder 0: .*fields \['a', 'b'\].*encoder_output="):
        isw.explain(isw.Factorised(enc, lambda zs: zs[0]["a"] if isinstance(zs[0], dict) else zs[0]),
                    [np.ones((3, 2)), np.ones((3, 2))], progress=False)
    with pytest.raises(ValueError, match="encoder_output lists 1 entries for 2 encoders"):
        isw.Factorised(enc, lambda zs: zs[0], encoder_output=["a"])


@pytest.fixture(scope="module")
def bert():
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=16, num_labels=2,
                                  initializer_range=0.5)  # outputs that vary with the tokens
    model = transformers.BertForSequenceClassification(cfg).eval()
    g = torch.Generator().manual_seed(2)

    def sentence(n):
        ids = torch.randint(4, 30, (n, 5), generator=g)
        ids[:, 0], ids[:, -1] = 2, 3  # [CLS] ... [SEP]
        return {"input_ids": ids, "attention_mask": torch.ones(n, 5, dtype=torch.long)}

    return model, {"first": sentence(6), "second": sentence(6)}


def test_a_sentence_pair_with_clashing_names_is_explained_at_detection(bert):
    model, X = bert
    with pytest.raises(ValueError, match=r"\['attention_mask', 'input_ids'\] occur in more than one modality "
                                         r"\('first', 'second'\).*wrap the model.*call='positional'"):
        isw.explain(model, X, progress=False)

    def pair(first, second):  # what the message suggests: one input built from the two modalities
        ids = torch.cat([first["input_ids"], second["input_ids"][:, 1:]], 1)
        mask = torch.cat([first["attention_mask"], second["attention_mask"][:, 1:]], 1)
        types = torch.cat([torch.zeros_like(first["input_ids"]), torch.ones_like(second["input_ids"][:, 1:])], 1)
        return model(input_ids=ids, attention_mask=mask, token_type_ids=types)

    res = isw.explain(Wrapped(model, pair), X, call="positional", progress=False)
    assert res.modality_names == ["first", "second"] and np.isfinite(res.intershap)
    assert np.abs(res.phi).max() > 1e-4


def test_float_token_ids_get_the_hint_to_cast_them_to_integers(bert):
    model, X = bert
    X = {"text": {"input_ids": X["first"]["input_ids"].float(), "attention_mask": X["first"]["attention_mask"]},
         "other": {"pixel_values": torch.randn(6, 2)}}
    with pytest.raises(InputError, match=r"modality 'text'\['input_ids'\] is float32 holding whole numbers: the "
                                             r"model wants integers there.*ids\.long\(\)") as err:
        isw.explain(Wrapped(model, lambda text, other: model(**text)), X, call="positional", progress=False)
    assert "cast it, e.g. x.astype('float32')" not in str(err.value)


def test_what_a_plain_callable_receives_for_each_input_form():
    """The README's table: a list X → a list; a dict X → a dict {name: array}; a group
    inside → its dict (or tuple); a DataFrame → a DataFrame (tests/test_frames.py)."""
    seen = {}

    def model(x):
        seen["x"] = x
        first = x[0] if isinstance(x, list) else x["a"]
        first = first["u"] if isinstance(first, dict) else first
        return np.stack([first[:, 0], -first[:, 0]], 1)

    a, b = np.arange(8.0).reshape(4, 2), np.ones((4, 2))
    isw.explain(model, [a, b], output="raw", progress=False)
    assert isinstance(seen["x"], list) and len(seen["x"]) == 2
    isw.explain(model, {"a": a, "b": b}, output="raw", progress=False)
    assert isinstance(seen["x"], dict) and list(seen["x"]) == ["a", "b"]
    isw.explain(model, {"a": {"u": a, "v": a}, "b": b}, output="raw", call="list", progress=False)
    assert isinstance(seen["x"], list) and isinstance(seen["x"][0], dict) and list(seen["x"][0]) == ["u", "v"]

    def merged(batch):  # a dict X: one merged dict, a group's arrays under their own keys
        seen["keys"] = list(batch)
        return np.stack([batch["u"][:, 0], -batch["u"][:, 0]], 1)

    isw.explain(merged, {"a": {"u": a, "v": a}, "b": b}, output="raw", progress=False)
    assert seen["keys"] == ["u", "v", "b"]
