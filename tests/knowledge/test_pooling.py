"""numpy pooling against sentence-transformers' own Pooling / Dense / Normalize modules, for
every pooling mode, right and left padding, and a batch with an empty row."""

from __future__ import annotations

import numpy as np
import pytest
import torch
try:
    from sentence_transformers.sentence_transformer import modules as models
except ImportError:  # sentence-transformers < 5
    from sentence_transformers import models

from knowledge import pooling


def batch(left: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    lengths = [7, 3, 1, 5]
    tokens = rng.standard_normal((len(lengths), 7, 16)).astype(np.float32)
    mask = np.zeros((len(lengths), 7), dtype=np.int64)
    for row, n in enumerate(lengths):
        mask[row, 7 - n:] = 1 if left else 0
        mask[row, :n] = 0 if left else 1
    return tokens, mask


@pytest.mark.parametrize("left", [False, True], ids=["right-padded", "left-padded"])
@pytest.mark.parametrize("modes", [(m,) for m in pooling.POOLING_MODES] + [("cls", "max", "mean")])
def test_pooling_matches_sentence_transformers(modes: tuple[str, ...], left: bool) -> None:
    tokens, mask = batch(left)
    module = models.Pooling(16, pooling_mode=modes if len(modes) > 1 else modes[0])
    expected = module({"token_embeddings": torch.from_numpy(tokens),
                       "attention_mask": torch.from_numpy(mask)})["sentence_embedding"].numpy()
    got = pooling.pool(tokens, mask, pooling.pooling_modes(module.get_config_dict()))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_legacy_pooling_configs_are_read_as_sentence_transformers_reads_them() -> None:
    legacy = {"word_embedding_dimension": 384, "pooling_mode_cls_token": False,
              "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
              "pooling_mode_mean_sqrt_len_tokens": False}
    assert pooling.pooling_modes(legacy) == ("mean",)
    assert pooling.pooling_modes({"pooling_mode_cls_token": True,
                                  "pooling_mode_max_tokens": True}) == ("cls", "max")
    assert pooling.pooling_modes({}) == ("mean",)
    with pytest.raises(ValueError, match="unknown pooling"):
        pooling.pooling_modes({"pooling_mode": "attention"})


@pytest.mark.parametrize("activation", [torch.nn.Tanh(), torch.nn.Identity()])
def test_dense_and_normalize_match_sentence_transformers(activation: torch.nn.Module) -> None:
    torch.manual_seed(1)
    dense = models.Dense(16, 8, activation_function=activation)
    x = torch.randn(4, 16)
    expected = dense({"sentence_embedding": x})["sentence_embedding"].detach()
    expected = models.Normalize()({"sentence_embedding": expected})["sentence_embedding"].numpy()
    name = f"{type(activation).__module__}.{type(activation).__name__}"
    got = pooling.dense(x.numpy(), dense.linear.weight.detach().numpy(),
                        dense.linear.bias.detach().numpy(), name)
    np.testing.assert_allclose(pooling.normalize(got), expected, rtol=1e-5, atol=1e-6)
    assert not pooling.normalize(np.zeros((1, 8), np.float32)).any()  # a zero row stays zero
