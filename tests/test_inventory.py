"""The inventory: an ELF over the parsing cap is not handed to LIEF, and says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fwaudit import inventory
from fwaudit.image import open_image
from fwaudit.model import UnpackOutcome
from fwaudit.unpack import describe_tree


def _tree_with_an_elf(tmp_path: Path) -> tuple[Path, UnpackOutcome]:
    tree = tmp_path / "tree"
    (tree / "bin").mkdir(parents=True)
    shutil.copy("/bin/true", tree / "bin" / "true")
    image = tmp_path / "image.bin"
    image.write_bytes(b"\0" * 64)
    nodes = describe_tree(tree, image, [])
    return image, UnpackOutcome(tree, "unblob", "unblob 1", nodes, (), 0.1)


def test_an_elf_within_the_cap_is_parsed(tmp_path: Path) -> None:
    image, outcome = _tree_with_an_elf(tmp_path)
    found = inventory.take_inventory(open_image(image), outcome)
    (elf,) = [f for f in found.files if f.path == "bin/true"]
    assert elf.elf is not None
    assert not found.problems


def test_an_elf_over_the_cap_is_skipped_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory, "MAX_ELF_BYTES", 1024)
    image, outcome = _tree_with_an_elf(tmp_path)
    found = inventory.take_inventory(open_image(image), outcome)
    (elf,) = [f for f in found.files if f.path == "bin/true"]
    assert elf.elf is None
    (problem,) = found.problems
    assert (problem.kind, problem.path) == ("scan.skipped", "bin/true")
    assert "ELF parsing cap of 1,024" in problem.detail
