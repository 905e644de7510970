"""The output folder of a batch: one folder per distinct image, written so that a crash at
any moment leaves only whole files, and a rerun knows what is finished.

    DIR/images/<sha256>/result.json     the full audit result (`fwaudit.results`)
    DIR/images/<sha256>/sbom.cdx.json   the CycloneDX 1.6 SBOM
    DIR/images/<sha256>/record.json     status, versions, timings, summary, findings

Every file is written to a temporary name in the same folder, synced and renamed
(`fwaudit.outputs.write_atomic`); the record is written last, so an image counts as finished
exactly when its record exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .. import __version__
from .._data import signatures_version
from ..outputs import write_atomic
from .worker import JobOutput, Task

SHA256 = re.compile(r"[0-9a-f]{64}")
RESULT, SBOM, RECORD = "result.json", "sbom.cdx.json", "record.json"


class ResultStore:
    """Reads and writes the per-image outputs under one output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.images = self.out / "images"
        self.images.mkdir(parents=True, exist_ok=True)

    def folder(self, sha256: str) -> Path:
        """The folder of one image (a sha256 is the only name it accepts)."""
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.images / sha256

    def record(self, sha256: str) -> dict[str, Any] | None:
        """The finished record of an image, or None (absent or unreadable)."""
        try:
            data = json.loads((self.folder(sha256) / RECORD).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def reusable(
        self, sha256: str, *, settings_key: str, retry_failed: bool
    ) -> dict[str, Any] | None:
        """The record if a rerun may keep it: same fwaudit, signatures and settings, its
        files present, and not a failure the caller wants retried."""
        record = self.record(sha256)
        if record is None:
            return None
        current = (
            record.get("fwaudit_version") == __version__
            and record.get("signatures_version") == signatures_version()
            and record.get("settings") == settings_key
        )
        files_there = all(
            (self.folder(sha256) / name).is_file()
            for name, flag in ((RESULT, "has_result"), (SBOM, "has_sbom"))
            if record.get(flag)
        )
        if not current or not files_there or (retry_failed and record.get("status") != "ok"):
            return None
        return record

    def save(self, task: Task, output: JobOutput) -> dict[str, Any]:
        """Write the image's files, the record last; returns the record."""
        folder = self.folder(output.sha256)
        folder.mkdir(exist_ok=True)
        (folder / RECORD).unlink(missing_ok=True)  # not finished until rewritten
        for name, text in ((RESULT, output.result_json), (SBOM, output.sbom_json)):
            if text is None:
                (folder / name).unlink(missing_ok=True)
            else:
                write_atomic(folder / name, text)
        record = output.record(task)
        write_atomic(folder / RECORD, json.dumps(record, indent=1))
        return record

    def clean(self) -> int:
        """Remove temporary files a killed run left behind; returns how many."""
        leftovers = list(self.images.glob("*/.*.tmp-*")) + list(self.out.glob(".*.tmp-*"))
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)
