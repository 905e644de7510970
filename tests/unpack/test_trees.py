"""Trees of any depth: walked, cut and removed without recursion (a hostile archive nests
folders past Python's recursion limit; os.walk, rglob and rmtree recurse in 3.11)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from fwaudit.api import Auditor
from fwaudit.sbom import serialize
from fwaudit.unpack.safe import sanitize_tree
from fwaudit.unpack.trees import MAX_FOLDER_DEPTH, remove_tree, walk

DEEP = 1500  # past the recursion limit (1000), a 3,000-character path: within PATH_MAX


def _nest(root: Path, depth: int) -> Path:
    root.mkdir(exist_ok=True)
    folder = str(root)
    for _ in range(depth):  # not Path.mkdir(parents=True): it recurses too
        folder += "/a"
        os.mkdir(folder)
    Path(folder, "f.txt").write_text("deep\n")
    return Path(folder)


def test_walk_gives_what_os_walk_gives(tmp_path: Path) -> None:
    for path in ("x/y/z", "x/w", "b", "c/d"):
        (tmp_path / path).mkdir(parents=True)
        (tmp_path / path / "file").write_text(path)
    (tmp_path / "x" / "link").symlink_to("y")
    assert list(walk(tmp_path)) == list(os.walk(tmp_path))


def test_a_tree_deeper_than_the_recursion_limit_is_walked_and_removed(tmp_path: Path) -> None:
    _nest(tmp_path / "tree", DEEP)
    assert sum(1 for _ in walk(tmp_path / "tree")) == DEEP + 1
    remove_tree(tmp_path / "tree")
    assert not (tmp_path / "tree").exists()


def test_the_sanitizer_cuts_folders_nested_too_deep_and_says_so(tmp_path: Path) -> None:
    _nest(tmp_path, MAX_FOLDER_DEPTH + 5)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "ok.conf").write_text("kept\n")
    problems = sanitize_tree(tmp_path)
    assert [p.kind for p in problems] == ["limit.folder_depth"]
    assert "unexamined" in problems[0].detail
    assert (tmp_path / "etc" / "ok.conf").is_file()
    assert not list(tmp_path.rglob("f.txt"))
    assert max(d.count("/") for d, _, _ in walk(tmp_path)) - str(tmp_path).count("/") <= (
        MAX_FOLDER_DEPTH
    )


def test_an_archive_nesting_1500_folders_is_audited_not_a_traceback(tmp_path: Path) -> None:
    image = tmp_path / "deep.tar"
    with tarfile.open(image, "w", format=tarfile.GNU_FORMAT) as archive:
        data = b"server=http://evil.example.com/x\n"
        info = tarfile.TarInfo("/".join(["a"] * DEEP) + "/f.conf")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    cache = tmp_path / "cache"
    result = Auditor(cache_dir=cache, backends=("binwalk",)).audit_data(image)
    assert serialize(result, "json")
    assert not any(p.kind.startswith("tool.") for p in result.problems)
    assert not list((cache / "unpack" / "tmp").iterdir())
