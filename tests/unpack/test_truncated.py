"""A download cut at 50 %: the outcome says the file system is incomplete (an error with the
image path and the offsets), keeps what was recovered, and the default driver keeps the
backend that recovered more."""

from __future__ import annotations

import io
import struct
import tarfile
import zlib
from pathlib import Path

import pytest

from fwaudit.model import Image, Severity
from fwaudit.unpack import BACKENDS, recovered, unpack_image
from fwaudit.unpack.integrity import shortfalls
from fwaudit.unpack.squashfs import SquashfsError, extract_image

NAMES = [b.name for b in BACKENDS]
WR841N = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"


def cut(source: Path, folder: Path, share: float = 0.5) -> Image:
    path = folder / f"{source.name}.cut"
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])
    return Image.from_path(path)


def truncation(outcome, what: str):
    found = [p for p in outcome.problems if p.kind == "extract.truncated" and what in p.detail]
    assert len(found) == 1, outcome.problems
    return found[0]


@pytest.mark.parametrize("backend", NAMES)
def test_truncated_sample_says_its_squashfs_is_incomplete(
    sample: Path, tmp_path: Path, backend: str
) -> None:
    image = cut(sample, tmp_path)
    outcome = unpack_image(image, backends=[backend], cache_dir=tmp_path / "c")
    squashfs = truncation(outcome, "SquashFS 4.0")
    assert (squashfs.stage, squashfs.severity, squashfs.path) == ("unpack", Severity.ERROR, "")
    assert "at offset 64 declares 5,580,028 bytes" in squashfs.detail
    assert f"only {image.size - 64:,} are present" in squashfs.detail
    assert "file system is incomplete" in squashfs.detail
    assert "directory tables" in squashfs.detail  # what is lost, in words
    wrapper = truncation(outcome, "uImage")
    assert wrapper.severity is Severity.ERROR and "payload past the cut is lost" in wrapper.detail
    assert len(outcome.elf_files) >= 30  # whatever was carved is kept


def test_the_default_keeps_the_backend_that_recovered_more_of_the_sample(
    sample: Path, tmp_path: Path
) -> None:
    image = cut(sample, tmp_path)
    alone = {
        name: recovered(unpack_image(image, backends=[name], cache_dir=tmp_path / "c"))
        for name in NAMES
    }
    outcome = unpack_image(image, cache_dir=tmp_path / "c")
    assert recovered(outcome) == max(alone.values())
    (choice,) = [p for p in outcome.problems if p.kind == "unpack.backend_choice"]
    assert "showed signs of loss (extract.truncated x2)" in choice.detail
    for name, (files, size) in alone.items():
        assert f"{name} {files} distinct file(s), {size:,} bytes" in choice.detail
    assert choice.detail.endswith(f"kept {outcome.backend}")
    assert truncation(outcome, "SquashFS 4.0").severity is Severity.ERROR


def test_fwaudits_own_squashfs_reader_refuses_the_truncated_sample(
    sample: Path, tmp_path: Path
) -> None:
    image = cut(sample, tmp_path)
    with pytest.raises(SquashfsError, match="cannot read the tables"):
        extract_image(image.path, tmp_path / "out", offset=64)


def test_the_intact_sample_runs_one_backend_and_claims_no_truncation(
    sample: Path, session_cache: Path
) -> None:
    outcome = unpack_image(Image.from_path(sample), cache_dir=session_cache)
    kinds = {p.kind for p in outcome.problems}
    assert "extract.truncated" not in kinds and "unpack.backend_choice" not in kinds
    assert shortfalls(sample) == []


@pytest.mark.parametrize("backend", NAMES)
def test_truncated_wr841n_says_its_squashfs_is_incomplete(
    corpus: Path, tmp_path: Path, backend: str
) -> None:
    outcome = unpack_image(cut(corpus / WR841N, tmp_path), backends=[backend], cache_dir=tmp_path)
    squashfs = truncation(outcome, "SquashFS 4.0 (lzma, 560 inodes) at offset 1180160")
    assert squashfs.severity is Severity.ERROR and squashfs.path == ""
    assert "declares 2,477,651 bytes but only 851,712 are present (34 %)" in squashfs.detail
    assert outcome.files  # the kernel and what could be carved


def test_truncated_wr841n_keeps_binwalks_larger_recovery(corpus: Path, tmp_path: Path) -> None:
    image = cut(corpus / WR841N, tmp_path)
    unblob = unpack_image(image, backends=["unblob"], cache_dir=tmp_path)
    outcome = unpack_image(image, cache_dir=tmp_path)
    assert outcome.backend == "binwalk" and recovered(outcome) > recovered(unblob)
    (choice,) = [p for p in outcome.problems if p.kind == "unpack.backend_choice"]
    assert "binwalk was tried and recovered more" in choice.detail
    assert len(outcome.elf_files) >= 5


def test_no_corpus_file_claims_a_truncation(corpus: Path) -> None:
    for path in sorted(corpus.iterdir()):
        if path.is_file():
            assert shortfalls(path) == [], path.name


def uimage(payload: bytes, declared: int, *, good_crc: bool = True) -> bytes:
    name = b"test kernel".ljust(32, b"\0")
    header = struct.pack(">IIIIIIIBBBB", 0x27051956, 0, 0, declared, 0, 0, 0, 5, 2, 2, 0) + name
    crc = zlib.crc32(header) if good_crc else 1234
    return header[:4] + struct.pack(">I", crc) + header[8:] + payload


def test_a_uimage_with_a_valid_header_crc_is_checked_and_one_without_is_not(
    tmp_path: Path,
) -> None:
    short = tmp_path / "short.bin"
    short.write_bytes(bytes(100) + uimage(bytes(1000), 4000))
    (found,) = shortfalls(short)
    assert (found.offset, found.declared, found.present) == (100, 4000, 1000)
    whole = tmp_path / "whole.bin"
    whole.write_bytes(uimage(bytes(4000), 4000))
    forged = tmp_path / "forged.bin"
    forged.write_bytes(uimage(bytes(10), 4000, good_crc=False))
    assert shortfalls(whole) == [] and shortfalls(forged) == []


@pytest.mark.parametrize("backend", NAMES)
def test_a_truncated_file_system_inside_an_archive_is_found_in_the_tree(
    sample: Path, tmp_path: Path, backend: str
) -> None:
    rootfs = sample.read_bytes()[64:]
    member = tarfile.TarInfo("partitions/rootfs.sqfs")
    member.size = len(rootfs) // 2
    path = tmp_path / "update.tar.gz"  # compressed: the image's own bytes do not show it
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(member, io.BytesIO(rootfs[: member.size]))
    outcome = unpack_image(Image.from_path(path), backends=[backend], cache_dir=tmp_path / "c")
    squashfs = truncation(outcome, "SquashFS 4.0 (xz, 346 inodes) at offset ")
    assert squashfs.severity is Severity.ERROR
    assert squashfs.path and (outcome.root / squashfs.path).is_file()  # the tar or the member
    assert "are present (50 %)" in squashfs.detail
