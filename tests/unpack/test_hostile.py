"""Hostile input: nothing is written outside the output folder, no link leads out of it,
no host file is copied in, and every attempt is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fwaudit.api import open_image
from fwaudit.unpack import BACKENDS, unpack_image
from fwaudit.unpack.safe import is_within

from .hostile import HOSTILE, SECRET

EXPECTED_KIND = {
    "traversal": "safety.path_traversal",
    "absolute": "safety.absolute_path",
    "symlink_write_through": "safety.write_through_link",
    "hard_link_to_host": "safety.hard_link_outside",
    "gzip_bomb": "limit.ratio",
    "cpio_traversal": "safety.path_traversal",
}


def assert_contained(tree: Path, outside: Path, workdir: Path, before: set[str]) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_bytes() == SECRET
    assert {p.name for p in workdir.iterdir()} == before
    secret_inode = (outside / "secret.txt").stat().st_ino
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in (*dirnames, *filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                assert is_within(path, tree), f"{path} leads out of the tree"
            elif path.is_file():
                assert path.stat().st_ino != secret_inode
                assert path.stat().st_size != len(SECRET) or path.read_bytes() != SECRET


@pytest.mark.parametrize("backend", [b.name for b in BACKENDS])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_contained_and_reported(tmp_path: Path, case: str, backend: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    image = HOSTILE[case](tmp_path / f"{case}.bin", outside)
    cache = tmp_path / "cache"
    before = {p.name for p in tmp_path.iterdir()} | {"cache"}

    outcome = unpack_image(open_image(image), backends=[backend], cache_dir=cache)

    assert_contained(outcome.root, outside, tmp_path, before)
    assert outcome.root.is_relative_to(cache)
    kinds = {p.kind for p in outcome.problems}
    assert EXPECTED_KIND[case] in kinds, outcome.problems


def test_corpus_dirtraversal_tar_is_contained_and_reported(
    corpus: Path, tmp_path: Path, session_cache: Path
) -> None:
    for backend in BACKENDS:
        outcome = unpack_image(
            open_image(corpus / "binwalk2_dirtraversal.tar"),
            backends=[backend.name],
            cache_dir=session_cache,
        )
        for dirpath, dirnames, filenames in os.walk(outcome.root):
            for name in (*dirnames, *filenames):
                assert is_within(Path(dirpath) / name, outcome.root)
        escapes = [p for p in outcome.problems if p.kind == "safety.link_escape"]
        details = " ".join(p.detail for p in escapes)
        assert "'foo'" in details and "subdir/foo2" in details, outcome.problems
