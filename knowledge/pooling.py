"""Sentence-transformers' pooling, Dense and Normalize steps in numpy, for a serving process
that runs the transformer on ONNX Runtime and must not import PyTorch.

Each function reproduces the module of sentence-transformers 3–6 it is named after (the
formulas of `Pooling._forward_padded`, `Dense.forward`, `Normalize.forward`), for padded
batches: `tokens` is (batch, length, width) float32, `mask` is (batch, length) with 1 for a
real token. Left padding (decoder models) is handled as sentence-transformers handles it.
Tests compare every mode with sentence-transformers itself (tests/knowledge/test_pooling.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken")
# The configuration keys of sentence-transformers before 5 (1_Pooling/config.json of most
# published models), in the order their outputs are concatenated.
_LEGACY_KEYS = (
    ("pooling_mode_cls_token", "cls"),
    ("pooling_mode_max_tokens", "max"),
    ("pooling_mode_mean_tokens", "mean"),
    ("pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"),
    ("pooling_mode_weightedmean_tokens", "weightedmean"),
    ("pooling_mode_lasttoken", "lasttoken"),
)
ACTIVATIONS = {
    "torch.nn.modules.linear.Identity": lambda x: x,
    "torch.nn.modules.activation.Tanh": np.tanh,
}


def pooling_modes(config: dict[str, Any]) -> tuple[str, ...]:
    """The modes a Pooling config asks for: `pooling_mode` (a name or a list, current
    sentence-transformers) or the legacy `pooling_mode_*` flags (mean when none is set).
    Raises ValueError for a mode this module does not know."""
    if "pooling_mode" in config:
        raw = config["pooling_mode"]
        modes = (raw,) if isinstance(raw, str) else tuple(raw)
    else:
        modes = tuple(mode for key, mode in _LEGACY_KEYS if config.get(key)) or ("mean",)
    unknown = [m for m in modes if m not in POOLING_MODES]
    if unknown:
        raise ValueError(f"unknown pooling mode(s) {unknown}")
    return modes


def pool(tokens: np.ndarray, mask: np.ndarray, modes: Sequence[str]) -> np.ndarray:
    """(batch, width × len(modes)) float32: each mode's sentence vector, concatenated."""
    tokens = np.asarray(tokens, dtype=np.float32)
    m = np.asarray(mask).astype(np.float32)
    batch, length, width = tokens.shape
    out = []
    for mode in modes:
        if mode == "cls":  # the first real token (after any left padding)
            first = np.argmax(mask, axis=1)
            out.append(tokens[np.arange(batch), first])
        elif mode == "max":
            masked = np.where(m[:, :, None] > 0, tokens, -np.inf)
            out.append(masked.max(axis=1))
        elif mode in ("mean", "mean_sqrt_len_tokens"):
            summed = np.einsum("blw,bl->bw", tokens, m)
            count = np.maximum(m.sum(axis=1, keepdims=True), 1e-9)
            out.append(summed / (count if mode == "mean" else np.sqrt(count)))
        elif mode == "weightedmean":  # weights 1, 2, ... from the first real token
            pad = np.argmax(mask, axis=1)[:, None]
            weights = (np.arange(1, length + 1, dtype=np.float32)[None, :] - pad) * m
            summed = np.einsum("blw,bl->bw", tokens, weights)
            out.append(summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9))
        elif mode == "lasttoken":  # the last real token (right padding) or the last position
            reversed_mask = m[:, ::-1]
            last = length - 1 - np.argmax(reversed_mask, axis=1)
            last = np.where(reversed_mask.max(axis=1) == 0, 0, last)
            out.append(tokens[np.arange(batch), last] * m[np.arange(batch), last][:, None])
        else:
            raise ValueError(f"unknown pooling mode {mode!r}")
    return np.concatenate(out, axis=1).astype(np.float32, copy=False)


def dense(vectors: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
          activation: str) -> np.ndarray:
    """A Dense module: activation(vectors @ weight.T + bias)."""
    out = vectors @ weight.T
    if bias is not None:
        out = out + bias
    return ACTIVATIONS[activation](out).astype(np.float32, copy=False)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit L2 norm per row (a zero row stays zero), as torch's F.normalize(eps=1e-12)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
