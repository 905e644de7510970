"""Did an audit write outside its output and cache folders?

The audit runs with its working folder, HOME and TMPDIR in a watched `home`, so a stray
write (an extractor's default output next to its input or in the working folder, a temporary
file left behind, a member written through ``../``) lands where a listing sees it. /tmp is
shared with other programs, so only new entries there that carry the seeds' member-name
marker count.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .containers import MARKER

SHARED_TMP = Path("/tmp")  # the host's, shared with other programs


class Watch:
    """`home` (everything in it but `allowed`) and /tmp, listed before and after."""

    def __init__(self, home: Path, allowed: tuple[Path, ...]) -> None:
        self.home = home
        self.allowed = allowed

    def snapshot(self) -> tuple[set[Path], set[str]]:
        return set(self._listing()), _names(SHARED_TMP)

    def escapes(self, before: tuple[set[Path], set[str]]) -> list[str]:
        """Entries new since `before`: anywhere in `home` but the allowed folders, and in
        /tmp those whose path names the marker."""
        paths, tmp = before
        found = [str(p) for p in sorted(set(self._listing()) - paths)]
        for name in sorted(_names(SHARED_TMP) - tmp):
            found += [p for p in _walk(SHARED_TMP / name) if MARKER in p]
        return found

    def _listing(self) -> Iterator[Path]:
        for dirpath, dirnames, filenames in os.walk(self.home):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if here / d not in self.allowed]
            for name in (*dirnames, *filenames):
                yield here / name


def _names(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _walk(path: Path, limit: int = 10_000) -> list[str]:
    found = [str(path)]
    if path.is_dir() and not path.is_symlink():
        for count, (dirpath, dirnames, filenames) in enumerate(os.walk(path)):
            if count >= limit:
                break
            found += [os.path.join(dirpath, n) for n in (*dirnames, *filenames)]
    return found


@contextmanager
def watched_home(home: Path, *allowed: Path) -> Iterator[Watch]:
    """Working folder, HOME and TMPDIR set to `home` for the processes started inside."""
    home.mkdir(parents=True, exist_ok=True)
    saved, cwd = {name: os.environ.get(name) for name in ("HOME", "TMPDIR")}, os.getcwd()
    os.environ.update(HOME=str(home), TMPDIR=str(home))
    tempfile.tempdir = None  # read TMPDIR again
    os.chdir(home)
    try:
        yield Watch(home, allowed)
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = None
