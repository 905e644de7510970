"""Shared fixtures: the corpus (optional), the built-in sample, a private cache per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "build" / "sample" / "ipcam-sample.bin"


def corpus_dir() -> Path:
    return Path(os.environ.get("FWAUDIT_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus of real images; tests that need it skip (saying why) without it."""
    path = corpus_dir()
    if not (path / "expected.json").is_file():
        pytest.skip(f"corpus not found at {path} (set FWAUDIT_CORPUS to run corpus tests)")
    return path


@pytest.fixture(scope="session")
def sample() -> Path:
    """The built-in sample firmware (`make sample` builds it from Debian packages)."""
    if not SAMPLE.is_file():
        pytest.fail(f"{SAMPLE} is missing: run `make sample` (make test does it)")
    return SAMPLE


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache shared by the tests of one run, for images many tests read."""
    return tmp_path_factory.mktemp("cache")
