"""The unpack driver with a fake backend: provenance, fallback order, cache, limits."""

from __future__ import annotations

from pathlib import Path

from fwaudit.api import open_image
from fwaudit.limits import Limits
from fwaudit.model import NodeKind
from fwaudit.unpack import unpack_image
from fwaudit.unpack.base import BackendRun, Extraction, Workspace


class FakeUnpacker:
    """Writes a tiny root filesystem as if it had found a squashfs at offset 64."""

    def __init__(self, name: str = "fake", files: bool = True) -> None:
        self.name = name
        self.files = files
        self.calls = 0

    def tool_version(self) -> str:
        return f"{self.name} 1.0"

    def unpack(self, image: Path, workspace: Workspace, limits: Limits) -> BackendRun:
        self.calls += 1
        out = workspace.tree / f"{image.name}.extracted" / "40"
        out.mkdir(parents=True)
        if self.files:
            (out / "bin").mkdir()
            (out / "bin" / "busybox").write_bytes(b"\x7fELF" + bytes(60))
            (out / "bin" / "sh").symlink_to("/bin/busybox")
            (out / "etc").mkdir()
            (out / "etc" / "passwd").symlink_to("../../../../../../../etc/passwd")
        workspace.add_anchor(out)
        return BackendRun(
            extractions=[Extraction(image, 64, 4096, "squashfs", "fake", out)],
            problems=workspace.secure(),
        )


def image_file(tmp_path: Path) -> Path:
    path = tmp_path / "fw.bin"
    path.write_bytes(b"HDR" * 100)
    return path


def test_nodes_carry_parent_offset_format_and_hash(tmp_path: Path) -> None:
    outcome = unpack_image(
        open_image(image_file(tmp_path)), backends=[FakeUnpacker()], cache_dir=tmp_path / "c"
    )
    nodes = {n.path: n for n in outcome.nodes}
    busybox = nodes["fw.bin.extracted/40/bin/busybox"]
    assert (busybox.parent, busybox.offset, busybox.format, busybox.extractor) == (
        "",
        64,
        "squashfs",
        "fake",
    )
    assert busybox.is_elf and busybox.depth == 1 and busybox.size == 64
    assert nodes["fw.bin.extracted/40/bin/sh"].link_target == "busybox"
    assert "fw.bin.extracted/40/etc/passwd" not in nodes
    assert [p.kind for p in outcome.problems] == ["safety.link_escape"]
    assert list(outcome.nodes) == sorted(outcome.nodes)
    assert nodes["fw.bin.extracted/40"].kind is NodeKind.DIRECTORY


def test_fallback_uses_the_next_backend_and_says_so(tmp_path: Path) -> None:
    empty, full = FakeUnpacker("empty", files=False), FakeUnpacker("full")
    outcome = unpack_image(
        open_image(image_file(tmp_path)), backends=[empty, full], cache_dir=tmp_path / "c"
    )
    assert outcome.backend == "full"
    choice = [p for p in outcome.problems if p.kind == "unpack.backend_choice"]
    assert len(choice) == 1 and "empty showed signs of loss (recovered no file)" in choice[0].detail
    assert choice[0].detail.endswith("kept full")


def test_cache_key_includes_limits(tmp_path: Path) -> None:
    fake = FakeUnpacker()
    image = open_image(image_file(tmp_path))
    unpack_image(image, backends=[fake], cache_dir=tmp_path / "c")
    unpack_image(image, backends=[fake], cache_dir=tmp_path / "c")
    assert fake.calls == 1
    unpack_image(image, backends=[fake], cache_dir=tmp_path / "c", limits=Limits(max_depth=2))
    assert fake.calls == 2
