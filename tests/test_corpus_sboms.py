"""Every corpus image's SBOM is the one the snapshot froze (issue 15: the analysis
refactor changes no SBOM). Rewrite the snapshot, after reviewing the diff, with
`.venv/bin/python scripts/snapshot_corpus_sboms.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus_sboms import SNAPSHOT, corpus_images, load, report, snapshot


@pytest.mark.slow
@pytest.mark.corpus
def test_every_corpus_sbom_is_as_in_the_snapshot(corpus: Path, session_cache: Path) -> None:
    expected = load(SNAPSHOT)
    names = corpus_images(corpus)
    actual = snapshot(corpus, names, cache_dir=session_cache, workers=2)
    lines = report(expected, actual)
    assert not lines, "SBOMs differ from tests/snapshots/corpus_sboms.json:\n" + "\n".join(lines)
