"""Containment: nothing in an unpacked tree may reach outside it.

Extractors run in a Landlock jail that only lets them write inside their private folder (the
first wall, where the kernel has Landlock). After every tool run, `sanitize_tree` is the second
wall: it re-roots absolute links against the filesystem they belong to, removes links that
leave the tree or loop, device nodes, FIFOs and sockets, hard links shared with files outside
the tree, and set-id bits. Every removal is reported as a `Problem`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..model import Problem, Severity
from .trees import MAX_FOLDER_DEPTH, cut_deep_folders, walk

STAGE = "unpack"


def is_within(path: Path | str, root: Path | str) -> bool:
    """True when `path`, resolved with every link followed, stays inside `root`."""
    real = Path(os.path.realpath(path))
    base = Path(os.path.realpath(root))
    return real == base or real.is_relative_to(base)


def _problem(kind: str, root: Path, path: Path, detail: str, severity=Severity.WARNING) -> Problem:
    return Problem(STAGE, kind, severity, path.relative_to(root).as_posix(), detail)


def _anchor_for(link: Path, anchors: Iterable[Path], root: Path) -> Path:
    """The filesystem root an absolute link inside `link`'s extraction refers to.

    That is the deepest extraction folder holding the link; when that folder holds only a
    ``*-root`` folder (binwalk's ``squashfs-root``, ``jffs2-root``), the filesystem starts there.
    """
    best = root
    for anchor in anchors:
        if link.is_relative_to(anchor) and len(anchor.parts) > len(best.parts):
            best = anchor
    entries = list(best.iterdir()) if best.is_dir() else []
    if len(entries) == 1 and entries[0].name.endswith("-root") and link.is_relative_to(entries[0]):
        return entries[0]
    return best


def _fix_link(root: Path, link: Path, anchors: Iterable[Path]) -> tuple[str | None, str]:
    """Return (new target or None to remove, reason)."""
    target = os.readlink(link)
    if os.path.isabs(target):
        anchor = _anchor_for(link, anchors, root)
        rerooted = anchor / target.lstrip("/")
        target = os.path.relpath(rerooted, link.parent)
    lexical = Path(os.path.normpath(link.parent / target))
    if not lexical.is_relative_to(root):
        return None, f"link to {os.readlink(link)!r} leaves the tree"
    return target, ""


def sanitize_tree(root: Path, anchors: Iterable[Path] = ()) -> list[Problem]:
    """Make `root` safe to read without following anything out of it; report what changed."""
    root = Path(os.path.realpath(root))
    problems = _cut_deep(root) + _utf8_names(root)
    links, regular, found = _normalise_entries(root)
    problems += found
    problems += _contain_links(root, links, [Path(os.path.realpath(a)) for a in anchors])
    problems += _drop_outside_hard_links(root, regular)
    return problems


def _cut_deep(root: Path) -> list[Problem]:
    """Folders nested past `MAX_FOLDER_DEPTH` are removed: content not examined (an error)."""
    cut = cut_deep_folders(root)
    if not cut:
        return []
    names = [_utf8(c) for c in cut[:3]]  # not renamed yet: _utf8_names runs after
    shown = ", ".join(f"{c[:60]}...{c[-40:]}" if len(c) > 100 else c for c in names)
    detail = (
        f"removed {len(cut)} folder(s) nested more than {MAX_FOLDER_DEPTH} levels deep, "
        f"with everything in them, unexamined: {shown}"
    )
    return [Problem(STAGE, "limit.folder_depth", Severity.ERROR, "", detail)]


def _utf8_names(root: Path) -> list[Problem]:
    """Rename entries whose names are not UTF-8 (a Latin-1 zip or tar member): each byte
    that does not decode becomes ``\\xNN``, so every later stage, the SBOM and the report
    can hold the path; link targets are rewritten the same way."""
    renamed: list[str] = []
    entries = [Path(d, n) for d, dirs, files in walk(root) for n in (*dirs, *files)]
    for path in reversed(entries):  # deepest first: a parent is renamed after its children
        if path.is_symlink() and not _is_utf8(target := os.readlink(path)):
            path.unlink()
            path.symlink_to(_utf8(target))
        if _is_utf8(path.name):
            continue
        new = path.with_name(_utf8(path.name))
        while new.exists() or new.is_symlink():
            new = new.with_name(new.name + "~")
        path.rename(new)
        renamed.append(_utf8(new.relative_to(root).as_posix()))  # parents come later
    if not renamed:
        return []
    shown = ", ".join(sorted(renamed)[:5])
    detail = f"renamed {len(renamed)} entr(ies) whose names are not UTF-8 (bytes as \\xNN): {shown}"
    return [Problem(STAGE, "extract.renamed", Severity.INFO, "", detail)]


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utf8(name: str) -> str:
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _normalise_entries(root: Path) -> tuple[list[Path], dict[Path, os.stat_result], list[Problem]]:
    """Remove special files, make folders and files readable, drop set-id bits."""
    links: list[Path] = []
    regular: dict[Path, os.stat_result] = {}
    special: dict[Path, list[str]] = {}
    for dirpath, dirnames, filenames in walk(root):
        here = Path(dirpath)
        for name in (*dirnames, *filenames):
            path = here / name
            st = os.lstat(path)
            mode = st.st_mode
            if stat.S_ISLNK(mode):
                links.append(path)
            elif stat.S_ISDIR(mode):
                os.chmod(path, (mode & 0o777) | 0o700)
            elif stat.S_ISREG(mode):
                if mode & (stat.S_ISUID | stat.S_ISGID) or not mode & stat.S_IRUSR:
                    os.chmod(path, (mode & 0o777) | 0o600)
                regular[path] = st
            else:
                os.unlink(path)
                special.setdefault(here, []).append(f"{name} ({_special_name(mode)})")
    problems = [
        _problem(
            "safety.special_file",
            root,
            folder,
            f"removed {len(names)} device node(s)/fifo(s): {', '.join(names)[:400]}",
            Severity.INFO,
        )
        for folder, names in sorted(special.items())
    ]
    return links, regular, problems


def _contain_links(root: Path, links: list[Path], anchors: list[Path]) -> list[Problem]:
    """Re-root absolute links; remove links that leave the tree, directly, by chain or loop."""
    problems = []
    for link in links:
        new_target, reason = _fix_link(root, link, anchors)
        if new_target is None:
            link.unlink()
            problems.append(_problem("safety.link_escape", root, link, reason))
        elif new_target != os.readlink(link):
            link.unlink()
            link.symlink_to(new_target)
    for link in links:  # a second pass sees chains through other links, and loops
        if not link.is_symlink():
            continue
        if not is_within(link, root):
            reason = "link chain resolves outside the tree"
        elif _loops(link):
            reason = "link loops"
        else:
            continue
        link.unlink()
        problems.append(_problem("safety.link_escape", root, link, reason))
    return problems


def _drop_outside_hard_links(root: Path, regular: dict[Path, os.stat_result]) -> list[Problem]:
    """A file whose link count exceeds its links inside the tree shares an inode with the host."""
    problems = []
    inside = Counter((st.st_dev, st.st_ino) for st in regular.values())
    for path, st in regular.items():
        if st.st_nlink > inside[(st.st_dev, st.st_ino)]:
            path.unlink()
            problems.append(
                _problem(
                    "safety.hard_link_outside",
                    root,
                    path,
                    "removed: hard link shared with a file outside the tree",
                    Severity.ERROR,
                )
            )
    return problems


def _loops(link: Path) -> bool:
    try:
        os.stat(link)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _special_name(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
