"""A damaged cache entry (outcome.json cut short, garbage, unfinal, of another shape; a file
of its tree deleted or cut short, the tree or the outcome gone) is rebuilt by the next audit,
which gives the baseline SBOM and leaves one whole entry."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Baseline, audit, entries, leftovers


def _edit(entry: Path, change: Callable[[dict], None]) -> None:
    data = json.loads((entry / "outcome.json").read_text())
    change(data)
    (entry / "outcome.json").write_text(json.dumps(data))


def _largest_file(entry: Path) -> Path:
    files = [p for p in (entry / "tree").rglob("*") if p.is_file() and not p.is_symlink()]
    return max(files, key=lambda p: (p.stat().st_size, p.as_posix()))


def cut_outcome(entry: Path) -> None:
    text = (entry / "outcome.json").read_bytes()
    (entry / "outcome.json").write_bytes(text[: len(text) // 2])


def unfinal_outcome(entry: Path) -> None:
    _edit(entry, lambda data: data.update(final=False))


def other_shape(entry: Path) -> None:
    """An outcome of another format: a node kind this version does not know, no chunks."""
    _edit(entry, lambda data: (data["nodes"][0].update(kind="blob"), data.pop("chunks")))


def no_outcome(entry: Path) -> None:
    (entry / "outcome.json").unlink()


def file_deleted(entry: Path) -> None:
    _largest_file(entry).unlink()


def file_cut(entry: Path) -> None:
    path = _largest_file(entry)
    path.write_bytes(path.read_bytes()[:4096])


def no_tree(entry: Path) -> None:
    shutil.rmtree(entry / "tree")


DAMAGE = [
    cut_outcome,
    unfinal_outcome,
    other_shape,
    no_outcome,
    file_deleted,
    file_cut,
    no_tree,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
def test_a_damaged_entry_is_rebuilt_and_the_sbom_is_the_baseline(
    sample: Path, baseline: Baseline, warm_cache: Path, damage: Callable[[Path], None]
) -> None:
    (entry,) = entries(warm_cache)
    whole = json.loads((entry / "outcome.json").read_text())
    damage(entry)
    assert audit(sample, warm_cache) == baseline.sbom
    assert entries(warm_cache) == [entry]
    rebuilt = json.loads((entry / "outcome.json").read_text())
    assert rebuilt["final"] is True and rebuilt["nodes"] == whole["nodes"]
    assert leftovers(warm_cache) == []
