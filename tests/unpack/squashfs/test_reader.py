"""The SquashFS reader against images built here with stock mksquashfs, one per compressor.

Each image holds what real root filesystems hold: empty, tiny (fragment), block-sized,
multi-block and sparse files, hard links, relative and absolute links, a FIFO, deep folders.
The extracted tree must equal the source tree.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from fwaudit.unpack.squashfs import SquashfsError, extract_image
from fwaudit.unpack.squashfs.inodes import Kind

BLOCK = 4096
COMPRESSORS = ["gzip", "lzo", "lz4", "xz", "zstd", "lzma"]
needs_mksquashfs = pytest.mark.skipif(
    shutil.which("mksquashfs") is None, reason="mksquashfs (squashfs-tools) is not installed"
)


def make_source(root: Path) -> Path:
    rng = random.Random(7)
    (root / "bin").mkdir(parents=True)
    (root / "etc" / "deep" / "er" / "still").mkdir(parents=True)
    (root / "bin" / "busybox").write_bytes(b"\x7fELF" + rng.randbytes(3 * BLOCK + 1000))
    (root / "bin" / "sh").symlink_to("busybox")
    (root / "bin" / "abs").symlink_to("/bin/busybox")
    (root / "etc" / "empty").write_bytes(b"")
    (root / "etc" / "tiny.conf").write_text("server=p2p.example.net\n")
    (root / "etc" / "block").write_bytes(rng.randbytes(BLOCK))
    (root / "etc" / "sparse").write_bytes(bytes(5 * BLOCK) + b"end")
    (root / "etc" / "deep" / "er" / "still" / "leaf.txt").write_text("leaf\n" * 100)
    (root / "etc" / "zh-名字.txt").write_text("unicode name\n")
    os.link(root / "etc" / "tiny.conf", root / "etc" / "hardlink.conf")
    os.mkfifo(root / "etc" / "initctl")
    return root


def build(source: Path, image: Path, *options: str) -> Path:
    subprocess.run(
        [
            "mksquashfs",
            str(source),
            str(image),
            "-b",
            str(BLOCK),
            "-noappend",
            "-no-xattrs",
            "-quiet",
            "-no-progress",
            *options,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return image


def assert_same_tree(source: Path, out: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(source):
        for name in (*dirnames, *filenames):
            src = Path(dirpath) / name
            dst = out / src.relative_to(source)
            if src.is_symlink():
                assert os.readlink(dst) == os.readlink(src), dst
            elif src.is_fifo():
                assert not dst.exists() and not dst.is_symlink(), "FIFOs are listed, not made"
            elif src.is_dir():
                assert dst.is_dir() and not dst.is_symlink(), dst
            else:
                assert dst.read_bytes() == src.read_bytes(), dst


@needs_mksquashfs
@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_every_compressor_round_trips(tmp_path: Path, compressor: str) -> None:
    source = make_source(tmp_path / "src")
    image = build(source, tmp_path / "fs.sqfs", "-comp", compressor)
    report = extract_image(image, tmp_path / "out")
    assert report.errors == []
    assert_same_tree(source, tmp_path / "out")
    assert report.hard_links == 1
    assert (tmp_path / "out/etc/hardlink.conf").stat().st_ino == (
        tmp_path / "out/etc/tiny.conf"
    ).stat().st_ino
    assert report.special == ["/etc/initctl (fifo)"]
    expected = {"gzip": "zlib"}.get(compressor, compressor)
    assert expected in report.variant


@needs_mksquashfs
@pytest.mark.parametrize(
    "options", [("-noI", "-noD", "-noF", "-noX"), ("-no-fragments",), ("-always-use-fragments",)]
)
def test_raw_blocks_and_fragment_modes(tmp_path: Path, options: tuple[str, ...]) -> None:
    source = make_source(tmp_path / "src")
    image = build(source, tmp_path / "fs.sqfs", "-comp", "xz", *options)
    report = extract_image(image, tmp_path / "out")
    assert report.errors == []
    assert_same_tree(source, tmp_path / "out")


@needs_mksquashfs
def test_squashfs_at_an_offset_inside_a_larger_file(tmp_path: Path) -> None:
    source = make_source(tmp_path / "src")
    image = build(source, tmp_path / "fs.sqfs", "-comp", "gzip")
    wrapped = tmp_path / "fw.bin"
    wrapped.write_bytes(b"HDR0" * 1000 + image.read_bytes())
    report = extract_image(wrapped, tmp_path / "out", offset=4000)
    assert report.errors == []
    assert_same_tree(source, tmp_path / "out")


@needs_mksquashfs
def test_truncated_image_gives_an_error_and_a_partial_tree(tmp_path: Path) -> None:
    source = make_source(tmp_path / "src")
    image = build(source, tmp_path / "fs.sqfs", "-comp", "gzip", "-noI", "-noD")
    data = image.read_bytes()
    cut = tmp_path / "cut.sqfs"
    cut.write_bytes(data[: len(data) * 2 // 3])
    try:
        report = extract_image(cut, tmp_path / "out")
    except SquashfsError:
        return  # tables cut away: a clean error is the right answer
    assert report.errors


def test_absurd_inode_count_is_rejected(tmp_path: Path) -> None:
    header = bytearray(96)
    struct.pack_into("<4sIIIIHHHHHH", header, 0, b"hsqs", 1 << 30, 0, 4096, 0, 1, 12, 0, 1, 4, 0)
    none = 2**64 - 1
    struct.pack_into("<QQQQQQQQ", header, 32, 0, 4192, 4100, none, 96, 200, none, none)
    image = tmp_path / "bad.sqfs"
    image.write_bytes(bytes(header) + bytes(4096))
    with pytest.raises(SquashfsError, match="absurd inode count"):
        extract_image(image, tmp_path / "out")


def test_not_squashfs_is_a_clean_error(tmp_path: Path) -> None:
    image = tmp_path / "x.bin"
    image.write_bytes(b"not a filesystem" * 10)
    with pytest.raises(SquashfsError, match="magic"):
        extract_image(image, tmp_path / "out")


def test_listing_records_every_entry_with_its_size(tmp_path: Path) -> None:
    if shutil.which("mksquashfs") is None:
        pytest.skip("mksquashfs (squashfs-tools) is not installed")
    source = make_source(tmp_path / "src")
    report = extract_image(build(source, tmp_path / "fs.sqfs"), tmp_path / "out")
    sizes = {path: size for path, kind, size in report.entries if kind is Kind.FILE}
    assert sizes["/etc/sparse"] == 5 * BLOCK + 3
    assert sizes["/etc/empty"] == 0
