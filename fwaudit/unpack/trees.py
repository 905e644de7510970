"""Walking and removing extracted trees of any depth.

`os.walk`, `Path.rglob` and `shutil.rmtree` recurse in Python 3.11, so a hostile archive
that nests folders past the recursion limit (a 1,500-level tar path fits in PATH_MAX) would
crash the audit. These iterate instead, and the sanitizer cuts folders nested deeper than
`MAX_FOLDER_DEPTH`, reporting what it cut.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

#: Folder nesting kept below a tree's root: real firmware stays far below this (unpacked
#: SquashFS trees are ~10 deep; each extraction level adds 2), hostile archives do not.
MAX_FOLDER_DEPTH = 128


def walk(root: Path | str) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(root)` (top-down, links not followed) without recursion: the same entries
    in the same order; `dirnames` may be pruned in place."""
    stack = [os.fspath(root)]
    while stack:
        top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        dirs, files, descend = [], [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        yield top, dirs, files
        for name in dirs:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                descend.append(path)
        stack.extend(reversed(descend))


def files_below(folder: Path) -> list[Path]:
    """Regular files (not links) anywhere below `folder`, sorted."""
    found = []
    for dirpath, _, filenames in walk(folder):
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def entries_below(folder: Path) -> Iterator[Path]:
    """Every entry (folders, files, links) below `folder`."""
    for dirpath, dirnames, filenames in walk(folder):
        for name in (*dirnames, *filenames):
            yield Path(dirpath, name)


def remove_tree(path: Path | str) -> None:
    """Remove `path` (a folder of any depth, a file or a link); errors are ignored."""
    if os.path.islink(path) or not os.path.isdir(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    with contextlib.suppress(RecursionError):
        shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):  # deeper than Python recursion goes: rm walks it without limit
        subprocess.run(["/bin/rm", "-rf", "--", os.fspath(path)], check=False)


def cut_deep_folders(root: Path, limit: int = MAX_FOLDER_DEPTH) -> list[str]:
    """Remove the folders nested more than `limit` levels below `root`; their paths
    (relative to `root`) are returned."""
    cut = []
    base = os.fspath(root).rstrip("/").count("/")
    for dirpath, dirnames, _ in walk(root):
        if dirpath.count("/") - base >= limit and dirnames:
            for name in dirnames:
                path = os.path.join(dirpath, name)
                remove_tree(path)
                cut.append(os.path.relpath(path, root))
            dirnames.clear()
    return cut
