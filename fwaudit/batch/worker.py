"""One image, audited inside a worker process: warm state, outputs as text, failures as data.

A worker keeps one `Auditor` per settings (rules compiled once per process) and returns a
`JobOutput`: the result and SBOM as text plus the fleet summary and finding rows, so
whoever writes the output folder (the batch's own process) needs nothing from the worker's
disk. Nothing here raises for an image's sake.
"""

from __future__ import annotations

import hashlib
import os
import resource
import socket
import time
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._data import signatures_version
from ..errors import FwauditError, StorageError
from ..limits import Limits
from ..outputs import reason
from .jobs import Job
from .tables import finding_rows, image_summary

if TYPE_CHECKING:
    from ..api import Auditor
    from ..model import AuditData

DEFAULT_TIMEOUT = 1800.0
DEFAULT_MEMORY_MB = 4096


@dataclass(frozen=True)
class Settings:
    """What every image of a batch is audited with, and the per-image guards."""

    policies: tuple[str, ...] | None = None
    backends: tuple[str, ...] | None = None
    limits: Limits = Limits()
    cache_dir: str | None = None
    online: bool = False
    timeout: float = DEFAULT_TIMEOUT  # seconds per image
    memory_mb: int = DEFAULT_MEMORY_MB  # resident memory of a worker and its tools
    as_of: str | None = None  # ISO day the policies are judged for (audit_many: today)

    @cached_property
    def key(self) -> str:
        """A digest of what changes an audit's result (not the guards): a result made with
        another key is redone. Policy files count by content (read once per process); the
        day judged for counts by its epoch, the last day on or before it on which a dated
        entry of the data changes, so a rerun on a later day keeps results no transition
        separates from it."""
        parts = [repr(self.backends), self.limits.key(), str(self.online)]
        if self.as_of:
            from datetime import date

            from ..jurisdiction import load

            parts.append("epoch " + load().epoch(date.fromisoformat(self.as_of)))
        for policy in self.policies or ("<built-in>",):
            path = Path(policy)
            parts.append(
                hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else policy
            )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    """A job as sent to a worker: the image, its digest, and the batch's settings."""

    job: Job
    sha256: str
    size: int
    settings: Settings


@dataclass
class JobOutput:
    """What auditing one image gave: the record fields, the result and SBOM texts."""

    sha256: str
    status: str  # "ok" or "error"
    # input, storage, unrecognised, timeout, memory, worker-died, internal
    error_kind: str | None = None
    error: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    worker: str = ""
    result_json: str | None = None
    sbom_json: str | None = None

    def record(self, task: Task) -> dict[str, Any]:
        """The record kept beside the result: everything but the two big texts."""
        return {
            "sha256": self.sha256,
            "size": task.size,
            "status": self.status,
            "error_kind": self.error_kind,
            "error": self.error,
            "image": task.job.path.name,
            "declared_vendor": task.job.declared_vendor,
            "fwaudit_version": __version__,
            "signatures_version": signatures_version(),
            "settings": task.settings.key,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "worker": self.worker,
            "timings": self.timings,
            "peak_rss_mb": self.peak_rss_mb,
            "has_result": self.result_json is not None,
            "has_sbom": self.sbom_json is not None,
            "summary": self.summary,
            "findings": self.findings,
        }


def failed(task: Task, kind: str, message: str, **extra: Any) -> JobOutput:
    """An error row for an image that gave no result."""
    return JobOutput(sha256=task.sha256, status="error", error_kind=kind, error=message, **extra)


_AUDITORS: dict[str, Auditor] = {}


def warm_auditor(settings: Settings) -> Auditor:
    """This process's `Auditor` for `settings`, made (rules compiled) on first use."""
    key = f"{settings.key}|{settings.cache_dir}"  # the cache is not part of the result's key
    if key not in _AUDITORS:
        from ..api import Auditor

        _AUDITORS[key] = Auditor(
            limits=settings.limits,
            cache_dir=Path(settings.cache_dir) if settings.cache_dir else None,
            policies=settings.policies,
            online=settings.online,
            as_of=settings.as_of,
            **({"backends": settings.backends} if settings.backends else {}),
        )
    return _AUDITORS[key]


def audit_task(task: Task) -> JobOutput:
    """Audit one image in this process and project the result for the batch."""
    started = time.perf_counter()
    identity = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = warm_auditor(task.settings).audit_data(
            task.job.path, declared_vendor=task.job.declared_vendor
        )
    except StorageError as exc:
        output = failed(task, "storage", str(exc))
    except FwauditError as exc:
        output = failed(task, "input", str(exc))
    except OSError as exc:  # a full or failing disk: this image's row, the batch goes on
        output = failed(task, "storage", reason(exc))
    except MemoryError:
        output = failed(task, "memory", "the audit ran out of memory")
    except Exception as exc:  # one image must never end a batch: report it as a row
        tail = traceback.format_exc(limit=-3)[-1500:]
        output = failed(task, "internal", f"{type(exc).__name__}: {exc}\n{tail}")
    else:
        output = _project(task, result)
    output.timings["total"] = round(time.perf_counter() - started, 4)
    output.worker = identity
    output.peak_rss_mb = _peak_rss_mb()
    return output


def _project(task: Task, result: AuditData) -> JobOutput:
    from ..results import result_to_json
    from ..sbom import serialize

    output = JobOutput(
        sha256=task.sha256,
        status="ok",
        summary=image_summary(result),
        findings=finding_rows(result),
        timings=dict(result.timings),
        result_json=result_to_json(result),
    )
    try:
        output.sbom_json = serialize(result, "json")
    except Exception as exc:  # the result is kept; the row says the SBOM is missing
        output.status, output.error_kind = "error", "sbom"
        output.error = f"no SBOM: {type(exc).__name__}: {exc}"
    fault = next((p for p in result.unpack.problems if p.kind == "storage.error"), None)
    if output.status == "ok" and fault is not None:  # the tree was not kept: nothing to judge
        output.status, output.error_kind, output.error = "error", "storage", fault.detail
    if output.status == "ok" and not _recognised(result):
        output.status, output.error_kind = "error", "unrecognised"
        output.error = (
            "no firmware format, file system or executable recognised "
            "(not firmware, encrypted, or a format no backend reads)"
        )
    return output


def _recognised(result: AuditData) -> bool:
    """A format was unpacked, an executable found, or a component seen in binary data (a
    bare flash image such as an ESP32 app); names quoted in a text file do not count. The
    coverage stage decides it (`fwaudit.coverage.recognised`)."""
    if result.coverage is not None:
        return result.coverage.recognised
    if result.unpack.chunks or any(f.kind == "elf" for f in result.files):
        return True
    binary = {f.path for f in result.files if f.kind != "text"}
    return any(e.path in binary for c in result.components for e in c.evidence)


def _peak_rss_mb() -> float:
    """Peak resident memory of this worker, or of its largest tool run, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tools = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, tools) / 1024, 1)
