"""Work folders left by unpacks whose process died (``kill -9``, a crash), found and removed.

A work folder is named ``work-<pid>-<start>-XXXXXXXX``: the owning process and when it
started (clock ticks after boot, from /proc), so a pid reused by a later process is no
owner. A folder whose owner still runs is never removed.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from .trees import remove_tree

#: Work folders of older versions say no owner: removed once they are this old.
UNOWNED_SECONDS = 24 * 3600.0
_OWNED = re.compile(r"work-(\d+)-(\d+)-[a-z0-9_]+")
_PROC = Path("/proc/self/stat").is_file()


def work_prefix() -> str:
    """The name prefix of this process's work folders (for `tempfile.mkdtemp`)."""
    pid = os.getpid()
    return f"work-{pid}-{_started(pid)}-"


def remove_orphans(folder: Path) -> None:
    """Remove the work folders in `folder` whose owner is gone, and those without an owner
    in their name once they are a day old."""
    now = time.time()
    for entry in os.scandir(folder) if folder.is_dir() else ():
        if not entry.name.startswith("work-"):
            continue
        if (orphan := owner_gone(entry.name)) is None:
            try:
                orphan = now - entry.stat(follow_symlinks=False).st_mtime > UNOWNED_SECONDS
            except OSError:
                continue
        if orphan:
            remove_tree(entry.path)


def owner_gone(name: str) -> bool | None:
    """Whether the process a work folder's `name` names is no longer running (the same pid
    started at another time is another process); None for a name without an owner."""
    if owned := _OWNED.fullmatch(name):
        return _started(int(owned[1])) != int(owned[2])
    return None


def _started(pid: int) -> int | None:
    """When process `pid` started, in clock ticks after boot (0 where there is no /proc to
    say); None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0 if not _PROC and alive(pid) else None
    return int(stat.rsplit(b")", 1)[1].split()[19])


def alive(pid: int) -> bool:
    """Whether a process `pid` exists (perhaps not the one that had the pid before)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
