"""The unpack cache serves only final outcomes: a crash, kill or timeout is used by the audit
that met it and redone by the next one; corrupt entries are rebuilt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fwaudit.limits import Limits
from fwaudit.model import Problem, Severity, UnpackOutcome
from fwaudit.unpack import describe_tree
from fwaudit.unpack.base import Workspace
from fwaudit.unpack.cache import UnpackCache, is_final

KEY = UnpackCache.key("ab" * 32, "unblob", "unblob 1", Limits())


def _outcome(cache: UnpackCache, *kinds: str) -> tuple[Workspace, UnpackOutcome]:
    workspace = Workspace(Path(cache.scratch_root()) / f"work-{len(kinds)}", 10)
    (workspace.tree / "etc").mkdir()
    (workspace.tree / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    problems = tuple(Problem("unpack", k, Severity.ERROR, "", "what happened") for k in kinds)
    nodes = describe_tree(workspace.tree, Path("image"), [])
    outcome = UnpackOutcome(workspace.tree, "unblob", "unblob 1", nodes, problems, 1.0)
    return workspace, outcome


@pytest.mark.parametrize("kind", ["tool.crashed", "limit.timeout", "tool.missing", "tool.error"])
def test_a_transient_failure_is_used_once_and_never_served(tmp_path: Path, kind: str) -> None:
    cache = UnpackCache(tmp_path)
    workspace, outcome = _outcome(cache, kind)
    assert not is_final(outcome)
    stored = cache.store(KEY, workspace, outcome)
    assert (stored.root / "etc" / "passwd").is_file()  # this audit reads its tree
    assert "transient" in stored.root.parts
    assert cache.load(KEY) is None  # the next audit unpacks again


def test_transient_entries_of_gone_processes_are_removed(tmp_path: Path) -> None:
    cache = UnpackCache(tmp_path)
    workspace, outcome = _outcome(cache, "tool.crashed")
    mine = cache.store(KEY, workspace, outcome).root.parent
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    orphan = mine.parent / f"{KEY}.{dead}.work-x"
    mine.rename(orphan)
    cache.scratch_root()  # the next run starts
    assert not orphan.exists()
    workspace, outcome = _outcome(cache, "limit.timeout")
    alive = cache.store(KEY, workspace, outcome).root.parent
    cache.scratch_root()
    assert alive.exists()  # this process still uses it


def test_a_final_outcome_is_served(tmp_path: Path) -> None:
    cache = UnpackCache(tmp_path)
    workspace, outcome = _outcome(cache, "extract.truncated")  # the same bytes, the same loss
    assert is_final(outcome)
    cache.store(KEY, workspace, outcome)
    served = cache.load(KEY)
    assert served is not None and served.from_cache
    assert served.problems == outcome.problems


@pytest.mark.parametrize("text", ["", "{", '{"nodes": []}', '{"final": false, "nodes": []}'])
def test_a_corrupt_or_unfinal_entry_is_rebuilt(tmp_path: Path, text: str) -> None:
    cache = UnpackCache(tmp_path)
    entry = cache.root / KEY
    (entry / "tree").mkdir(parents=True)
    (entry / "outcome.json").write_text(text)
    assert cache.load(KEY) is None
    assert not entry.exists()


@pytest.mark.parametrize("damage", ["deleted", "cut", "added"])
def test_an_entry_whose_tree_no_longer_matches_its_outcome_is_rebuilt(
    tmp_path: Path, damage: str
) -> None:
    cache = UnpackCache(tmp_path)
    workspace, outcome = _outcome(cache, "extract.truncated")
    passwd = cache.store(KEY, workspace, outcome).root / "etc" / "passwd"
    if damage == "deleted":
        passwd.unlink()
    elif damage == "cut":
        passwd.write_text("root:")
    else:
        (passwd.parent / "shadow").write_text("")
    assert cache.load(KEY) is None
    assert not (cache.root / KEY).exists()


def test_a_transient_entry_of_a_reused_pid_is_removed(tmp_path: Path) -> None:
    """The work folder in a transient entry's name says when its owner started: this
    process's pid with another start time is a process that is gone."""
    import os

    from fwaudit.unpack.orphans import work_prefix

    cache = UnpackCache(tmp_path)
    workspace, outcome = _outcome(cache, "tool.crashed")
    entry = cache.store(KEY, workspace, outcome).root.parent
    pid, started = work_prefix().split("-")[1:3]
    reused = entry.parent / f"{KEY}.{pid}.work-{pid}-{int(started) + 1}-abcd1234"
    mine = entry.parent / f"{KEY}.{pid}.{work_prefix()}abcd1234"
    entry.rename(reused)
    mine.mkdir()
    cache.scratch_root()
    assert not reused.exists()
    assert mine.exists()
    assert str(os.getpid()) == pid
