"""No leftovers: a killed scan takes its jailed worker and extractors along, and the next run
removes the work folder it left; a work folder whose owner still runs is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fwaudit.model import Image
from fwaudit.unpack import unpack_image
from fwaudit.unpack.orphans import UNOWNED_SECONDS, _started, remove_orphans, work_prefix

from ..lifeline import killed_when_stuck, running, stuck_image


def test_a_killed_scan_leaves_no_process_and_the_next_run_removes_its_folder(
    tmp_path: Path,
) -> None:
    image, env = stuck_image(tmp_path)
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "fwaudit.cli", "scan", str(image), "-o", str(tmp_path / "o")]
    with killed_when_stuck([*argv, "--cache-dir", str(cache)], env, tmp_path) as (pid, tree):
        assert running(tree, seconds=2) == []
    work = list((cache / "unpack" / "tmp").glob(f"work-{pid}-*"))
    assert len(work) == 1
    outcome = unpack_image(Image.from_path(image), backends=("unblob",), cache_dir=cache)
    assert not work[0].exists()
    assert outcome.files  # the real 7z, this time


def test_a_process_whose_parent_went_before_it_asked_is_killed_at_once() -> None:
    code = "from fwaudit._lifeline import die_with_parent; die_with_parent(1); print('alive')"
    child = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, timeout=30
    )
    assert child.returncode == -signal.SIGKILL and child.stdout == b""


def test_only_a_group_leader_gets_a_guardian() -> None:
    code = (
        "import os; from fwaudit._lifeline import guard_group; guard_group(); "
        "print(len(open(f'/proc/{os.getpid()}/task/{os.getpid()}/children').read().split()))"
    )
    for leader, guardians in ((False, b"0"), (True, b"1")):
        child = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            capture_output=True,
            timeout=30,
            start_new_session=leader,
        )
        assert child.stdout.strip() == guardians


def test_work_folders_of_gone_or_reused_pids_go_and_live_ones_stay(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    mine = tmp_path / f"{work_prefix()}abc"
    kept = [mine, tmp_path / f"work-1-{_started(1)}-abc", tmp_path / "work-fresh01", tmp_path / "x"]
    start = _started(os.getpid())
    assert start is not None
    removed = [
        tmp_path / f"work-{gone.pid}-{start}-abc",
        tmp_path / f"work-{os.getpid()}-{start + 1}-abc",  # this pid, another process's
        tmp_path / "work-stale001",
    ]
    for folder in kept + removed:
        (folder / "tree").mkdir(parents=True)
    old = time.time() - UNOWNED_SECONDS - 60
    os.utime(tmp_path / "work-stale001", (old, old))
    remove_orphans(tmp_path)
    assert sorted(tmp_path.iterdir()) == sorted(kept)
