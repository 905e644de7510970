"""Makers on the labelled corpus (shared/corpus/makers.tsv): no maker where the truth is
`none`, and at least 90 % right. The misses are printed (pytest -s, or on failure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit.accuracy import maker_matches, read_maker_labels
from fwaudit.api import Auditor

MIN_RIGHT = 0.90


@pytest.fixture(scope="module")
def auditor(session_cache: Path) -> Auditor:
    return Auditor(cache_dir=session_cache)


@pytest.mark.slow
@pytest.mark.corpus
def test_makers_on_the_labelled_corpus(corpus: Path, auditor: Auditor) -> None:
    labels = read_maker_labels(corpus / "makers.tsv")
    right, false, wrong, missed = 0, [], [], []
    for name, truth in sorted(labels.items()):
        who = auditor.audit_data(corpus / name).assessment.attribution
        found = who.maker.name if who.maker else None
        if maker_matches(found, truth):
            right += 1
            if who.maker:
                assert who.evidence, name
                assert all(e.path is not None and e.method for e in who.evidence), name
        elif truth is None:
            false.append((name, found, who.evidence[:2]))
        elif found is None:
            missed.append((name, truth, who.candidates[:3]))
        else:
            wrong.append((name, found, truth))
        for clue in who.platform:
            assert clue.evidence and all(e.method for e in clue.evidence), name
    print(f"makers right {right} of {len(labels)}")
    for kind, items in (("false", false), ("wrong", wrong), ("missed", missed)):
        for item in items:
            print(f"  {kind}: {item}")
    assert false == [], "a maker where the truth is none"
    assert right >= MIN_RIGHT * len(labels), (right, wrong, missed)
