"""Fuzzing: mutated superblocks and tables end in a clean error or a partial tree, never a
crash, a hang or a write outside the destination. Bounded: a fixed number of examples, each
with a deadline."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fwaudit.unpack.squashfs import SquashfsError, extract_image, parse_superblock

from .test_reader import build, make_source

pytestmark = pytest.mark.skipif(
    shutil.which("mksquashfs") is None, reason="mksquashfs (squashfs-tools) is not installed"
)


def seed_image(compressor: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source = make_source(Path(tmp) / "src")
        return build(source, Path(tmp) / "fs.sqfs", "-comp", compressor).read_bytes()


SEEDS = {}


def seed(compressor: str) -> bytes:
    if compressor not in SEEDS:
        SEEDS[compressor] = seed_image(compressor)
    return SEEDS[compressor]


def table_regions(data: bytes) -> list[tuple[int, int]]:
    sb = parse_superblock(data)
    return [(0, 96), (sb.inode_table, sb.directory_table), (sb.directory_table, len(data))]


@settings(
    max_examples=150,
    deadline=3000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    compressor=st.sampled_from(["gzip", "xz"]),
    region=st.integers(0, 2),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(64, 8000)),
)
def test_mutated_images_never_crash_or_escape(compressor, region, edits, cut) -> None:
    data = bytearray(seed(compressor))
    start, end = table_regions(bytes(data))[region]
    for position, value in edits:
        data[start + position % max(end - start, 1)] = value
    if cut is not None:
        data = data[:cut]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        image = root / "fuzz.sqfs"
        image.write_bytes(bytes(data))
        dest = root / "jail" / "out"
        try:
            report = extract_image(image, dest)
        except SquashfsError:
            report = None
        if report is not None:
            assert report.files + report.directories + report.symlinks <= 10_000
        assert sorted(p.name for p in root.iterdir()) == sorted(
            ["fuzz.sqfs", "jail"] if dest.parent.exists() else ["fuzz.sqfs"]
        )
        for dirpath, dirnames, filenames in os.walk(root / "jail"):
            for name in (*dirnames, *filenames):
                assert (
                    Path(dirpath, name).resolve().is_relative_to(root)
                    or Path(dirpath, name).is_symlink()
                )
