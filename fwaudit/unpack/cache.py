"""Content-addressed cache of unpacked trees: same image, backend, tools and limits, same tree."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..limits import Limits
from ..model import Chunk, ExtractedNode, NodeKind, Problem, Severity, UnpackOutcome
from ..outputs import FULL_BELOW, cache_need, free_bytes
from .base import Workspace
from .orphans import alive, owner_gone, remove_orphans
from .trees import remove_tree, walk

#: Bumped when what an outcome holds changes (4: truncation, depth and member-sweep problems,
#: unblob severities; 5: entries say whether they are final), so no older entry is served.
FORMAT = 5
#: Problems that the same bytes need not give again: a killed or crashed worker (the OOM
#: killer, a signal), a timeout under load, a missing tool, an extractor's own exception, a
#: full or failing cache disk. An outcome with one is used by the audit that made it but never
#: served to a later one.
TRANSIENT = frozenset(
    {"tool.crashed", "limit.timeout", "tool.missing", "tool.error", "storage.error"}
)


def is_final(outcome: UnpackOutcome) -> bool:
    """Whether the same image bytes will always give this outcome (so it may be served)."""
    return not any(p.kind in TRANSIENT for p in outcome.problems)


def default_cache_dir() -> Path:
    """``$FWAUDIT_CACHE_DIR``, else the user cache folder."""
    if env := os.environ.get("FWAUDIT_CACHE_DIR"):
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fwaudit"))


class UnpackCache:
    """Entries live in ``<cache>/unpack/<key>/`` as ``tree/`` plus ``outcome.json``."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.root = Path(cache_dir or default_cache_dir()).absolute() / "unpack"

    def scratch_root(self) -> Path:
        """Where workspaces are made: on the cache's filesystem so storing is a rename.
        Transient entries and work folders of processes that are gone are removed here."""
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        self.clean_transient()
        remove_orphans(path)
        return path

    def clean_transient(self) -> None:
        """Remove the transient entries (``<key>.<pid>.<work folder>``) of processes no
        longer running (the work folder's name says which process, started when)."""
        folder = self.root / "transient"
        for entry in folder.iterdir() if folder.is_dir() else ():
            parts = entry.name.split(".", 2)
            gone = owner_gone(parts[2]) if len(parts) == 3 else None
            if gone is None:  # an older name: its pid alone
                gone = len(parts) == 3 and parts[1].isdigit() and not alive(int(parts[1]))
            if gone:
                remove_tree(entry)

    def check_room(self, image_size: int, limits: Limits) -> None:
        """An OSError (ENOSPC) when the cache disk has less free space than unpacking an
        image of `image_size` bytes may need (`fwaudit.outputs.cache_need`): an extractor
        that meets a full disk may cut the tree short without saying so."""
        self.root.mkdir(parents=True, exist_ok=True)
        free, need = free_bytes(self.root), cache_need(limits, image_size)
        if free < need:
            text = f"no room for the tree: {free:,} bytes free, an unpack may need {need:,}"
            raise OSError(errno.ENOSPC, text, str(self.root))

    @staticmethod
    def key(image_sha256: str, backend: str, tool_version: str, limits: Limits) -> str:
        text = "|".join(
            (str(FORMAT), image_sha256, backend, tool_version, __version__, limits.key())
        )
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def load(self, key: str) -> UnpackOutcome | None:
        """The stored outcome; None for no entry, and an entry that is not final (a crash or
        timeout the next run may not meet), partial, unreadable or whose tree no longer holds
        what it lists (`intact`) is removed to be rebuilt."""
        entry = self.root / key
        try:
            data = json.loads((entry / "outcome.json").read_text())
            if data.get("final") is True and intact(
                outcome := outcome_from_json(data, entry / "tree")
            ):
                return outcome
        except FileNotFoundError:
            if not entry.exists():
                return None
        except (OSError, ValueError, KeyError, TypeError):
            pass
        remove_tree(entry)
        return None

    def store(self, key: str, workspace: Workspace, outcome: UnpackOutcome) -> UnpackOutcome:
        """Move the workspace tree into the cache; a concurrent writer's entry wins. An
        outcome that is not final goes to ``transient/`` instead: this audit reads it, no
        later one is served it, and it is removed once its process is gone. A disk left
        full (`fwaudit.outputs.FULL_BELOW`) is an OSError: the tree may be cut short."""
        if (free := free_bytes(workspace.path)) < FULL_BELOW:
            text = f"{os.strerror(errno.ENOSPC)}: cache disk full after the unpack"
            raise OSError(errno.ENOSPC, f"{text} ({free:,} bytes free)", str(self.root))
        final = is_final(outcome)
        entry = self.root / key
        staging = workspace.path / "entry"
        staging.mkdir()
        workspace.tree.rename(staging / "tree")
        data = {**outcome_to_json(outcome), "final": final}
        (staging / "outcome.json").write_text(json.dumps(data))
        if not final:
            entry = self.root / "transient" / f"{key}.{os.getpid()}.{workspace.path.name}"
            entry.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(entry)
            return replace(outcome, root=entry / "tree")
        try:
            staging.rename(entry)
        except OSError:
            if (existing := self.load(key)) is not None:
                return existing
            remove_tree(entry)
            staging.rename(entry)
        return replace(outcome, root=entry / "tree")


def intact(outcome: UnpackOutcome) -> bool:
    """Whether the tree still holds what the outcome lists: as many entries and as many bytes
    in its files and links. Cheap (no file is read): it catches a file deleted, added or cut
    short since the entry was stored, not one rewritten in place."""
    if not outcome.root.is_dir():
        return False
    count = size = 0
    for dirpath, dirnames, filenames in walk(outcome.root):
        for name in (*dirnames, *filenames):
            count += 1
            found = os.lstat(os.path.join(dirpath, name))
            size += 0 if stat.S_ISDIR(found.st_mode) else found.st_size
    return (count, size) == (len(outcome.nodes), sum(n.size for n in outcome.nodes))


def outcome_to_json(outcome: UnpackOutcome) -> dict[str, Any]:
    return {
        "backend": outcome.backend,
        "tool_version": outcome.tool_version,
        "seconds": outcome.seconds,
        "chunks": [asdict(c) for c in outcome.chunks],
        "nodes": [asdict(n) for n in outcome.nodes],
        "problems": [asdict(p) for p in outcome.problems],
    }


def outcome_from_json(data: dict[str, Any], root: Path) -> UnpackOutcome:
    nodes = tuple(ExtractedNode(**{**n, "kind": NodeKind(n["kind"])}) for n in data["nodes"])
    problems = tuple(
        Problem(**{**p, "severity": Severity(p["severity"])}) for p in data["problems"]
    )
    return UnpackOutcome(
        root=root,
        backend=data["backend"],
        tool_version=data["tool_version"],
        nodes=nodes,
        problems=problems,
        seconds=data["seconds"],
        chunks=tuple(Chunk(**c) for c in data["chunks"]),
        from_cache=True,
    )
