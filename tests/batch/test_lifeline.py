"""No leftovers: a batch killed with SIGKILL takes its guarded workers and their extractors
along."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..lifeline import kill_leftovers, running, stuck_image, wait_for_stuck_tool


def test_a_killed_batch_leaves_no_worker_and_no_extractor(tmp_path: Path) -> None:
    image, env = stuck_image(tmp_path)
    argv = [sys.executable, "-m", "fwaudit.cli", "batch", str(image), "--out", str(tmp_path / "o")]
    batch = subprocess.Popen(
        [*argv, "--workers", "1", "--cache-dir", str(tmp_path / "cache"), "-q"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tree: dict[int, str] = {}
    try:
        tree = wait_for_stuck_tool(batch.pid, tmp_path)
        assert any("fwaudit.batch._serve" in line for line in tree.values())
        batch.kill()
        batch.wait()
        assert running(tree, seconds=2) == []
    finally:
        batch.kill()
        kill_leftovers(tree)
