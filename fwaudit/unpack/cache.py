"""Content-addressed cache of unpacked trees: same image, backend, tools and limits, same tree."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..limits import Limits
from ..model import Chunk, ExtractedNode, NodeKind, Problem, Severity, UnpackOutcome
from .base import Workspace

#: Bumped when what an outcome holds changes (4: truncation, depth and member-sweep problems,
#: unblob severities), so no older entry is served.
FORMAT = 4


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
        """Where workspaces are made: on the cache's filesystem so storing is a rename."""
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def key(image_sha256: str, backend: str, tool_version: str, limits: Limits) -> str:
        text = "|".join(
            (str(FORMAT), image_sha256, backend, tool_version, __version__, limits.key())
        )
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def load(self, key: str) -> UnpackOutcome | None:
        entry = self.root / key
        try:
            data = json.loads((entry / "outcome.json").read_text())
        except (OSError, ValueError):
            return None
        return outcome_from_json(data, entry / "tree")

    def store(self, key: str, workspace: Workspace, outcome: UnpackOutcome) -> UnpackOutcome:
        """Move the workspace tree into the cache; a concurrent writer's entry wins."""
        entry = self.root / key
        staging = workspace.path / "entry"
        staging.mkdir()
        workspace.tree.rename(staging / "tree")
        (staging / "outcome.json").write_text(json.dumps(outcome_to_json(outcome)))
        try:
            staging.rename(entry)
        except OSError:
            if (existing := self.load(key)) is not None:
                return existing
            shutil.rmtree(entry, ignore_errors=True)
            staging.rename(entry)
        return replace(outcome, root=entry / "tree")


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
