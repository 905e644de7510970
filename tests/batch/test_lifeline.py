"""No leftovers: a batch killed with SIGKILL takes its guarded workers and their extractors
along."""

from __future__ import annotations

import sys
from pathlib import Path

from ..lifeline import killed_when_stuck, running, stuck_image


def test_a_killed_batch_leaves_no_worker_and_no_extractor(tmp_path: Path) -> None:
    image, env = stuck_image(tmp_path)
    argv = [sys.executable, "-m", "fwaudit.cli", "batch", str(image), "--out", str(tmp_path / "o")]
    argv += ["--workers", "1", "--cache-dir", str(tmp_path / "cache"), "-q"]
    with killed_when_stuck(argv, env, tmp_path) as (_, tree):
        assert any("fwaudit.batch._serve" in line for line in tree.values())
        assert running(tree, seconds=2) == []
