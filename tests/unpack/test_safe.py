"""The sanitizer: every way a tree can point outside itself is removed or re-rooted, and said."""

from __future__ import annotations

import os
from pathlib import Path

from fwaudit.model import Severity
from fwaudit.unpack.safe import is_within, sanitize_tree


def make_tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "tree"
    outside = tmp_path / "outside"
    (root / "fs" / "bin").mkdir(parents=True)
    (root / "fs" / "bin" / "busybox").write_bytes(b"\x7fELF")
    outside.mkdir()
    (outside / "secret.txt").write_text("host secret")
    return root, outside


def kinds(problems) -> list[str]:
    return sorted(p.kind for p in problems)


def test_absolute_link_is_rerooted_inside_its_filesystem(tmp_path: Path) -> None:
    root, _ = make_tree(tmp_path)
    link = root / "fs" / "bin" / "sh"
    link.symlink_to("/bin/busybox")
    problems = sanitize_tree(root, anchors=[root / "fs"])
    assert problems == []
    assert os.readlink(link) == "busybox"
    assert link.resolve() == (root / "fs" / "bin" / "busybox").resolve()


def test_links_leaving_the_tree_are_removed_and_reported(tmp_path: Path) -> None:
    root, outside = make_tree(tmp_path)
    (root / "fs" / "up").symlink_to("../../outside/secret.txt")
    (root / "fs" / "dotdot").symlink_to("../../../../../../")
    problems = sanitize_tree(root)
    assert kinds(problems) == ["safety.link_escape", "safety.link_escape"]
    assert not (root / "fs" / "up").is_symlink()
    assert not (root / "fs" / "dotdot").is_symlink()
    assert {p.path for p in problems} == {"fs/up", "fs/dotdot"}
    assert all(p.severity is Severity.WARNING for p in problems)
    assert (outside / "secret.txt").read_text() == "host secret"


def test_link_chain_through_an_escaping_link_is_removed(tmp_path: Path) -> None:
    root, outside = make_tree(tmp_path)
    (root / "fs" / "a").symlink_to("b")
    (root / "fs" / "b").symlink_to(str(outside.resolve()) + "/../../..")
    sanitize_tree(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            assert is_within(Path(dirpath) / name, root)


def test_looping_links_are_removed(tmp_path: Path) -> None:
    root, _ = make_tree(tmp_path)
    (root / "fs" / "x").symlink_to("y")
    (root / "fs" / "y").symlink_to("x")
    problems = sanitize_tree(root)
    assert kinds(problems) == ["safety.link_escape"]  # removing one link breaks the loop
    assert "loop" in problems[0].detail
    for name in ("x", "y"):
        path = root / "fs" / name
        assert not path.is_symlink() or not path.exists()  # gone, or dangling: no loop left


def test_hard_link_to_a_host_file_is_removed(tmp_path: Path) -> None:
    root, outside = make_tree(tmp_path)
    os.link(outside / "secret.txt", root / "fs" / "copy")
    (root / "fs" / "inner").write_text("inside")
    os.link(root / "fs" / "inner", root / "fs" / "inner2")  # hard links inside are fine
    problems = sanitize_tree(root)
    assert kinds(problems) == ["safety.hard_link_outside"]
    assert not (root / "fs" / "copy").exists()
    assert (root / "fs" / "inner2").read_text() == "inside"
    assert (outside / "secret.txt").read_text() == "host secret"


def test_fifos_are_removed_as_one_info_problem_per_folder(tmp_path: Path) -> None:
    root, _ = make_tree(tmp_path)
    (root / "fs" / "dev").mkdir()
    os.mkfifo(root / "fs" / "dev" / "pipe1")
    os.mkfifo(root / "fs" / "dev" / "pipe2")
    problems = sanitize_tree(root)
    assert kinds(problems) == ["safety.special_file"]
    assert problems[0].severity is Severity.INFO
    assert "pipe1" in problems[0].detail and "pipe2" in problems[0].detail
    assert list((root / "fs" / "dev").iterdir()) == []


def test_setuid_bits_are_cleared_and_unreadable_files_made_readable(tmp_path: Path) -> None:
    root, _ = make_tree(tmp_path)
    target = root / "fs" / "bin" / "busybox"
    target.chmod(0o4000)
    assert sanitize_tree(root) == []
    mode = target.stat().st_mode
    assert not mode & 0o4000
    assert mode & 0o400
