"""vision.utils.make_grid against torchvision's algorithm, written out here with torch (a canvas
of pad_value, each image copied to row y * (H + padding) + padding, column x * (W + padding) +
padding), since torchvision is not installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.vision.utils import make_grid


def reference(
    t: torch.Tensor,
    nrow=8,
    padding=2,
    normalize=False,
    value_range=None,
    scale_each=False,
    pad_value=0.0,
) -> torch.Tensor:
    if t.dim() == 3:
        t = t.unsqueeze(0)
    if t.size(1) == 1:
        t = torch.cat((t, t, t), 1)
    if normalize:
        t = t.clone()

        def norm(img):
            lo, hi = (
                value_range if value_range is not None else (float(img.min()), float(img.max()))
            )
            img.clamp_(min=lo, max=hi)
            img.sub_(lo).div_(max(hi - lo, 1e-5))

        for img in t if scale_each else [t]:
            norm(img)
    n = t.size(0)
    if n == 1:
        return t.squeeze(0)
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    h, w = t.size(2) + padding, t.size(3) + padding
    grid = t.new_full((t.size(1), h * ymaps + padding, w * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= n:
                break
            grid.narrow(1, y * h + padding, h - padding).narrow(
                2, x * w + padding, w - padding
            ).copy_(t[k])
            k += 1
    return grid


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((5, 1, 4, 3), dict(nrow=2)),
        ((16, 3, 5, 5), dict()),
        ((7, 3, 4, 4), dict(nrow=3, padding=0)),
        ((6, 1, 3, 3), dict(nrow=4, padding=1, pad_value=0.5)),
        ((4, 3, 4, 4), dict(normalize=True)),
        ((4, 3, 4, 4), dict(normalize=True, scale_each=True)),
        ((4, 1, 4, 4), dict(normalize=True, value_range=(-0.5, 0.5))),
        ((1, 3, 4, 4), dict()),
        ((3, 6, 6), dict()),
    ],
    ids=str,
)
def test_make_grid_matches_torchvision(shape, kwargs):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours = make_grid(tg.tensor(x), **kwargs)
    theirs = reference(torch.tensor(x), **kwargs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


def test_make_grid_takes_a_list_and_checks_value_range():
    imgs = [tg.ones(1, 2, 2) * i for i in range(3)]
    assert make_grid(imgs, nrow=3, padding=1).shape == (3, 4, 10)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(tg.ones(2, 1, 2, 2), normalize=True, value_range=[0, 1])
