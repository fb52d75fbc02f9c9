"""Shared fixtures: the devices to run on, the datasets folder, and the --runslow switch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import tinygrad_edu as tg

# Fixtures here are stateless per example (the seed fixture only seeds), so hypothesis may reuse
# them.
settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# CI draws the same examples every run (a failure there is reproducible, never a flake)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

# Tests use small arrays: one BLAS thread is as fast and avoids spinning threads on a busy machine.
try:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
except ImportError:  # pragma: no cover - threadpoolctl is in the dev extra
    pass

SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow") or os.environ.get("TINYGRAD_EDU_RUNSLOW"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow or TINYGRAD_EDU_RUNSLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=[
            pytest.mark.cuda,
            pytest.mark.skipif(
                not tg.cuda.is_available(),
                reason=f"CUDA unavailable: {tg.cuda.unavailable_reason()}",
            ),
        ],
    ),
]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run a test once per available device ('cuda' skips with the reason where it is absent)."""
    return request.param


@pytest.fixture
def datasets_dir():
    """../shared/datasets (the real MNIST / Fashion-MNIST IDX files), or TINYGRAD_EDU_TEST_DATA."""
    path = Path(os.environ.get("TINYGRAD_EDU_TEST_DATA", SHARED_DATASETS))
    if not path.exists():
        pytest.skip(f"datasets folder {path} not found")
    return path


@pytest.fixture(autouse=True)
def _seed():
    tg.manual_seed(0)
    yield
