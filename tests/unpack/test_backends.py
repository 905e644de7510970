"""Both backends on the built-in sample and the realistic corpus images: real extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit.api import open_image
from fwaudit.model import NodeKind
from fwaudit.unpack import BACKENDS, DEFAULT_BACKENDS, unpack_image

NAMES = [b.name for b in BACKENDS]


@pytest.mark.parametrize("backend", NAMES)
def test_sample_rootfs_is_recovered_with_provenance(
    sample: Path, session_cache: Path, backend: str
) -> None:
    outcome = unpack_image(open_image(sample), backends=[backend], cache_dir=session_cache)
    assert outcome.backend == backend
    assert len(outcome.elf_files) >= 250
    paths = {
        n.path.split("_extract/", 1)[-1].split("squashfs-root/", 1)[-1]: n for n in outcome.nodes
    }
    busybox = next(n for p, n in paths.items() if p.endswith("bin/busybox"))
    assert busybox.kind is NodeKind.FILE and busybox.is_elf
    assert busybox.sha256 and len(busybox.sha256) == 64
    assert busybox.offset == 64 or busybox.parent  # the squashfs starts after the uImage header
    assert "squashfs" in (busybox.format or "").lower() or busybox.parent
    sh = next(n for p, n in paths.items() if p.endswith("bin/sh"))
    assert sh.kind is NodeKind.SYMLINK and sh.link_target == "busybox"
    status = next(n for p, n in paths.items() if p.endswith("var/lib/dpkg/status"))
    assert b"Package: busybox" in (outcome.root / status.path).read_bytes()


def test_second_unpack_comes_from_the_cache(sample: Path, tmp_path: Path) -> None:
    image = open_image(sample)
    first = unpack_image(image, cache_dir=tmp_path)
    again = unpack_image(image, cache_dir=tmp_path)
    assert not first.from_cache and again.from_cache
    assert again.nodes == first.nodes
    assert again.root == first.root and again.root.is_dir()


def test_unknown_data_gives_an_empty_tree_not_an_error(tmp_path: Path) -> None:
    blob = tmp_path / "noise.bin"
    blob.write_bytes(bytes(range(256)) * 64)
    outcome = unpack_image(open_image(blob), cache_dir=tmp_path / "cache")
    assert outcome.files == ()
    assert outcome.backend == DEFAULT_BACKENDS[0]


def test_truncated_image_gives_a_partial_tree(sample: Path, tmp_path: Path) -> None:
    cut = tmp_path / "truncated.bin"
    cut.write_bytes(sample.read_bytes()[: sample.stat().st_size // 2])
    for backend in NAMES:
        outcome = unpack_image(open_image(cut), backends=[backend], cache_dir=tmp_path / "c")
        assert outcome.nodes is not None  # no exception; whatever was readable is kept


@pytest.mark.slow
@pytest.mark.parametrize("backend", NAMES)
@pytest.mark.parametrize(
    "name", ["ofrak_bcm53xx-generic-carved.ubi", "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"]
)
def test_real_router_rootfs_has_100_plus_elf_files(
    corpus: Path, session_cache: Path, name: str, backend: str
) -> None:
    outcome = unpack_image(open_image(corpus / name), backends=[backend], cache_dir=session_cache)
    assert len(outcome.elf_files) >= 100, outcome.problems
