"""The SquashFS reader on the corpus's real vendor images and test vectors."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lief
import pytest

from fwaudit.api import open_image
from fwaudit.unpack import unpack_image
from fwaudit.unpack.squashfs import extract_image
from fwaudit.unpack.squashfs.inodes import Kind


def regular_files(root: Path) -> list[Path]:
    return [
        Path(d) / n
        for d, _, names in os.walk(root)
        for n in names
        if not (Path(d) / n).is_symlink()
    ]


def elf_count(root: Path) -> int:
    count = 0
    for path in regular_files(root):
        with path.open("rb") as handle:
            count += handle.read(4) == b"\x7fELF"
    return count


def test_trendnet_vendor_lzma_v4(corpus: Path, tmp_path: Path) -> None:
    report = extract_image(corpus / "binwalk2_firmware.squashfs", tmp_path)
    assert report.variant == "lzma-5"
    assert report.files >= 1476
    assert elf_count(tmp_path) >= 119
    busybox = lief.parse(str(tmp_path / "bin" / "busybox"))
    assert busybox.header.machine_type == lief.ELF.ARCH.MIPS
    assert busybox.header.identity_data == lief.ELF.Header.ELF_DATA.LSB


def test_broadcom_v2_big_endian_lzma(corpus: Path, tmp_path: Path) -> None:
    report = extract_image(corpus / "binwalk3_squashfs_v2.bin", tmp_path)
    assert report.superblock.major == 2 and report.superblock.order == ">"
    assert report.files >= 263
    assert elf_count(tmp_path) >= 85
    for path, kind, size in report.entries:
        if kind is Kind.FILE:
            assert (tmp_path / path.lstrip("/")).stat().st_size == size, path  # no truncation


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("fact_squashfs2_lzma_be.sqfs", "lzma-raw"),
        ("fact_squashfs3_lzma1_le.sqfs", "lzma-raw"),
        ("fact_squashfs3_zlib_be.sqfs", "zlib"),
        ("fact_squashfs4_avm_be.sqfs", "xz"),
        ("fact_squashfs4_xz.sqfs", "xz"),
        ("fact_squashfs4_zstd.sqfs", "zstd"),
        ("binwalk3_squashfs.bin", "zlib"),
    ],
)
def test_format_vectors_extract(corpus: Path, tmp_path: Path, name: str, variant: str) -> None:
    report = extract_image(corpus / name, tmp_path)
    assert report.files >= 1 and report.errors == []
    assert variant in report.variant


def unsquashfs(image: Path, out: Path, offset: int = 0) -> None:
    subprocess.run(
        ["unsquashfs", "-no-xattrs", "-no-progress", "-o", str(offset), "-d", str(out), str(image)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def assert_identical(ours: Path, stock: Path) -> int:
    """Same names, same link targets, byte-identical files; returns the files compared."""

    def listing(root: Path) -> dict[str, str]:
        out = {}
        for d, dirs, names in os.walk(root):
            for name in (*dirs, *names):
                path = Path(d) / name
                rel = str(path.relative_to(root))
                if path.is_symlink():
                    out[rel] = "link:" + os.readlink(path)
                elif path.is_dir():
                    out[rel] = "dir"
                elif path.is_file():
                    out[rel] = "file"
        return out

    a, b = listing(ours), listing(stock)
    assert a == b
    files = [rel for rel, kind in a.items() if kind == "file"]
    for rel in files:
        assert (ours / rel).read_bytes() == (stock / rel).read_bytes(), rel
    return len(files)


@pytest.mark.skipif(shutil.which("unsquashfs") is None, reason="needs stock unsquashfs")
def test_wr841n_is_byte_identical_to_stock_unsquashfs(corpus: Path, tmp_path: Path) -> None:
    image = corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
    extract_image(image, tmp_path / "ours", offset=0x120200)
    unsquashfs(image, tmp_path / "stock", offset=0x120200)
    assert assert_identical(tmp_path / "ours", tmp_path / "stock") >= 300


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unsquashfs") is None, reason="needs stock unsquashfs")
def test_openwrt_ubi_squashfs_is_byte_identical_to_stock(
    corpus: Path, tmp_path: Path, session_cache: Path
) -> None:
    outcome = unpack_image(
        open_image(corpus / "ofrak_bcm53xx-generic-carved.ubi"),
        backends=["binwalk"],
        cache_dir=session_cache,
    )
    chunk = next(c for c in outcome.chunks if "squashfs" in c.format)
    assert "xz" in chunk.detail
    volume = outcome.root / chunk.container
    extract_image(volume, tmp_path / "ours", offset=chunk.offset)
    unsquashfs(volume, tmp_path / "stock", offset=chunk.offset)
    assert assert_identical(tmp_path / "ours", tmp_path / "stock") >= 500


@pytest.mark.parametrize("backend", ["unblob", "binwalk"])
def test_both_backends_reach_the_vendor_lzma_rootfs(
    corpus: Path, session_cache: Path, backend: str
) -> None:
    outcome = unpack_image(
        open_image(corpus / "binwalk2_firmware.squashfs"),
        backends=[backend],
        cache_dir=session_cache,
    )
    assert len(outcome.files) >= 1476 and len(outcome.elf_files) >= 119
    assert any("lzma-5" in c.detail for c in outcome.chunks)
