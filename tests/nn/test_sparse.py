"""Embedding against torch: lookups, weight gradients (repeated ids add up), padding_idx."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tests.nn._layer_check import FAST, check_layer
from tinygrad_edu import Tensor

id_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@FAST
@given(
    num=st.integers(1, 6),
    dim=st.integers(1, 4),
    shape=id_shapes,
    pad=st.sampled_from([None, 0, -1]),
    seed=st.integers(0, 2**31 - 1),
)
def test_embedding_matches_torch(num, dim, shape, pad, seed, device):
    ours = nn.Embedding(num, dim, padding_idx=pad).to(device)
    theirs = torch.nn.Embedding(num, dim, padding_idx=pad)
    ids = np.random.default_rng(seed).integers(0, num, shape)
    check_layer(ours, theirs, ids, device, seed)


def test_embedding_init_and_padding_row():
    tg.manual_seed(0)
    emb = nn.Embedding(1000, 300, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert abs(w.std() - 1.0) < 0.01 and abs(w.mean()) < 0.01  # N(0, 1)
    np.testing.assert_array_equal(w[3], np.zeros(300))
    ids = Tensor(np.array([[3, 1, 3], [2, 3, 1]]))
    emb(ids).sum().backward()
    g = emb.weight.grad.numpy()
    np.testing.assert_array_equal(g[3], np.zeros(300))  # the padding row gets no gradient
    np.testing.assert_array_equal(g[1], np.full(300, 2.0))  # repeated ids add up


def test_embedding_from_pretrained_and_errors():
    w = tg.randn(4, 2)
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(Tensor([1, 2])).numpy(), w.numpy()[[1, 2]])
    with pytest.raises(IndexError, match="embedding: index out of range"):
        emb(Tensor([4]))
    with pytest.raises(RuntimeError, match="integer"):
        emb(tg.ones(2))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)
    assert repr(nn.Embedding(5, 3, padding_idx=0)) == repr(torch.nn.Embedding(5, 3, padding_idx=0))


def test_functional_embedding_with_padding_idx():
    w = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    out = F.embedding(Tensor([0, 1, 0]), w, padding_idx=0)
    np.testing.assert_array_equal(out.detach().numpy(), np.arange(12.0).reshape(4, 3)[[0, 1, 0]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0.0, 1.0, 0.0, 0.0])
