"""Archive member tables are read for hostile entries: cpio as well as tar and zip, and also
when a bomb stops the extraction before the backend reports anything."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from fwaudit.model import Image, Severity
from fwaudit.unpack import BACKENDS, unpack_image
from fwaudit.unpack.members import (
    _reader,
    audit_archive,
    cpio_members,
    hostile_entries,
    sweep,
    tar_members,
    zip_members,
)

from .hostile import CPIO_WRITERS, SECRET, cpio_entries, cpio_traversal, tar_gz_bomb, zip_bomb
from .test_hostile import assert_contained

HOSTILE_KINDS = {"safety.path_traversal", "safety.absolute_path", "safety.link_escape"}


def outside_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    return outside


@pytest.mark.parametrize("fmt", sorted(CPIO_WRITERS))
def test_cpio_tables_of_every_header_format_are_read(tmp_path: Path, fmt: str) -> None:
    data = CPIO_WRITERS[fmt](cpio_entries(tmp_path))
    members = list(cpio_members(io.BytesIO(data)))
    assert len(members) == 4 and members[0].name == "ok.txt"
    assert members[-1].kind == "symlink" and members[-1].target == "../" * 12
    found = {kind for kind, _ in hostile_entries(iter(members))}
    assert found == HOSTILE_KINDS


@pytest.mark.parametrize(
    ("fmt", "reader"),
    [
        ("cpio_portable_ascii", cpio_members),  # unblob
        ("cpio_binary", cpio_members),  # unblob
        ("cpio", cpio_members),  # binwalk
        ("tarball", tar_members),  # binwalk
        ("tar", tar_members),
        ("zip", zip_members),
        ("gzip", None),  # not a zip
        ("squashfs_v4_le", None),
    ],
)
def test_backend_format_names_pick_the_right_reader(fmt: str, reader) -> None:
    assert _reader(fmt) is reader


def test_a_cpio_chunk_is_audited_at_its_offset(tmp_path: Path) -> None:
    data = CPIO_WRITERS["newc"](cpio_entries(tmp_path / "outside"))
    path = tmp_path / "fw.bin"
    path.write_bytes(bytes(512) + data)
    problems = audit_archive(path, 512, "cpio_portable_ascii", "fw.bin_extract")
    assert {p.kind for p in problems} == HOSTILE_KINDS
    assert all(p.detail.startswith("cpio_portable_ascii at offset 512: ") for p in problems)


def test_a_compressed_cpio_is_swept_through_its_stream(tmp_path: Path) -> None:
    raw = cpio_traversal(tmp_path / "initramfs.cpio", tmp_path / "outside")
    packed = tmp_path / "initramfs.cpio.gz"
    packed.write_bytes(gzip.compress(raw.read_bytes(), mtime=0))
    problems = sweep(packed, "boot/initramfs.cpio.gz")
    assert {p.kind for p in problems} == HOSTILE_KINDS
    assert {p.path for p in problems} == {"boot/initramfs.cpio.gz"}
    assert all(p.detail.startswith("cpio inside gzip at offset 0") for p in problems)


@pytest.mark.parametrize("backend", [b.name for b in BACKENDS])
def test_cpio_traversal_is_reported_and_contained(tmp_path: Path, backend: str) -> None:
    outside = outside_folder(tmp_path)
    image = cpio_traversal(tmp_path / "initramfs.cpio", outside)
    before = {p.name for p in tmp_path.iterdir()} | {"cache"}
    outcome = unpack_image(Image.from_path(image), backends=[backend], cache_dir=tmp_path / "cache")
    assert_contained(outcome.root, outside, tmp_path, before)
    found = {p.kind: p for p in outcome.problems if p.kind in HOSTILE_KINDS}
    assert set(found) == HOSTILE_KINDS, outcome.problems
    assert "cpio-traversal.txt" in found["safety.path_traversal"].detail
    assert all(p.stage == "unpack" and p.severity is Severity.WARNING for p in found.values())


@pytest.mark.parametrize("fmt", ["odc", "binary", "crc"])
def test_unblob_reads_the_other_cpio_formats_and_they_are_reported(
    tmp_path: Path, fmt: str
) -> None:
    image = cpio_traversal(tmp_path / f"{fmt}.cpio", tmp_path / "outside", fmt)
    outcome = unpack_image(Image.from_path(image), backends=["unblob"], cache_dir=tmp_path / "c")
    assert {p.kind for p in outcome.problems} >= HOSTILE_KINDS


@pytest.mark.parametrize("backend", [b.name for b in BACKENDS])
@pytest.mark.parametrize("bomb", [tar_gz_bomb, zip_bomb], ids=["tar.gz", "zip"])
def test_member_tables_are_read_when_a_bomb_stops_the_extraction(
    tmp_path: Path, backend: str, bomb
) -> None:
    outside = outside_folder(tmp_path)
    image = bomb(tmp_path / "bomb.bin", outside)
    before = {p.name for p in tmp_path.iterdir()} | {"cache"}
    outcome = unpack_image(Image.from_path(image), backends=[backend], cache_dir=tmp_path / "cache")
    assert_contained(outcome.root, outside, tmp_path, before)
    kinds = [p.kind for p in outcome.problems]
    assert any(k.startswith("limit.") for k in kinds), outcome.problems  # the bomb was stopped
    # the ../ member comes before the zeros, the absolute one after them: both are read
    assert kinds.count("safety.path_traversal") == 1, outcome.problems
    assert kinds.count("safety.absolute_path") == 1, outcome.problems
