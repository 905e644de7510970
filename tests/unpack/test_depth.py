"""Content nested past the depth limit never vanishes silently: every backend reports a
`limit.depth` problem naming the folder it stopped at and the packed data it left there."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from fwaudit.limits import Limits
from fwaudit.model import Image, Severity
from fwaudit.unpack import BACKENDS, unpack_image

PAYLOAD = b"\x7fELF" + bytes(60) + b"BusyBox v1.36.1 (2024-01-01) multi-call binary"
#: one tar.gz is two levels (the gzip stream, then the tar inside it)
LEVELS_PER_ARCHIVE = 2


def nested_chain(path: Path, archives: int) -> Path:
    """`archives` tar.gz files, each holding the next; the innermost holds a busybox."""
    name, data = "busybox", PAYLOAD
    for level in range(archives, 0, -1):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        name, data = f"level{level}.tar.gz", gzip.compress(buffer.getvalue(), mtime=0)
    path.write_bytes(data)
    return path


def payload_found(outcome) -> bool:
    return any(
        n.path.endswith("/busybox") and (outcome.root / n.path).read_bytes() == PAYLOAD
        for n in outcome.files
    )


@pytest.mark.parametrize("backend", [b.name for b in BACKENDS])
def test_content_within_the_limit_is_found_without_a_depth_problem(
    tmp_path: Path, backend: str
) -> None:
    levels = 3 * LEVELS_PER_ARCHIVE
    assert levels < Limits().max_depth
    chain = Image.from_path(nested_chain(tmp_path / "six.bin", 3))
    outcome = unpack_image(chain, backends=[backend], cache_dir=tmp_path / "c")
    assert payload_found(outcome)
    assert "limit.depth" not in {p.kind for p in outcome.problems}


@pytest.mark.parametrize("backend", [b.name for b in BACKENDS])
def test_content_past_the_limit_is_a_depth_error_with_the_path(
    tmp_path: Path, backend: str
) -> None:
    limits = Limits()
    assert limits.max_depth < 5 * LEVELS_PER_ARCHIVE
    chain = Image.from_path(nested_chain(tmp_path / "ten.bin", 5))
    outcome = unpack_image(chain, backends=[backend], cache_dir=tmp_path / "c", limits=limits)
    assert not payload_found(outcome)
    (depth,) = [p for p in outcome.problems if p.kind == "limit.depth"]
    assert depth.stage == "unpack" and depth.severity is Severity.ERROR
    folder = outcome.root / depth.path
    assert depth.path and folder.is_dir()
    assert [p.name for p in folder.rglob("*.tar.gz")] == ["level5.tar.gz"]
    assert f"max_depth={limits.max_depth}" in depth.detail
    assert "level5.tar.gz (gzip)" in depth.detail and "not unpacked" in depth.detail


def test_the_default_backends_report_the_depth_limit_too(tmp_path: Path) -> None:
    chain = Image.from_path(nested_chain(tmp_path / "deep.bin", 5))
    outcome = unpack_image(chain, cache_dir=tmp_path / "c", limits=Limits(max_depth=4))
    (depth,) = [p for p in outcome.problems if p.kind == "limit.depth"]
    assert depth.severity is Severity.ERROR and "level3.tar.gz (gzip)" in depth.detail
    assert "unpack.backend_choice" not in {p.kind for p in outcome.problems}  # not a loss sign


def test_plain_files_at_the_limit_are_only_a_warning(tmp_path: Path) -> None:
    chain = Image.from_path(nested_chain(tmp_path / "two.bin", 2))
    outcome = unpack_image(
        chain, backends=["unblob"], cache_dir=tmp_path / "c", limits=Limits(max_depth=4)
    )
    (depth,) = [p for p in outcome.problems if p.kind == "limit.depth"]
    assert depth.severity is Severity.WARNING and "none looks packed: busybox" in depth.detail
    assert payload_found(outcome)  # extracted at the last level, just not scanned further
