"""Fixtures of the data tests: an isolated environment (no real cache, no system folders)."""

from __future__ import annotations

import dataclasses

import pytest

from tinygrad_edu.data import _download


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point the cache at tmp_path/cache and forget $TINYGRAD_EDU_DATA, mirror variables and the
    system folders, so a test sees only the files it makes. Returns the cache folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for var in (
        "TINYGRAD_EDU_DATA",
        "TINYGRAD_EDU_MNIST_MIRROR",
        "TINYGRAD_EDU_FASHION_MNIST_MIRROR",
        "TINYGRAD_EDU_CIFAR10_MIRROR",
    ):
        monkeypatch.delenv(var, raising=False)
    for name, res in list(_download.RESOURCES.items()):
        monkeypatch.setitem(_download.RESOURCES, name, dataclasses.replace(res, system_dirs=()))
    return cache / "tinygrad_edu"
