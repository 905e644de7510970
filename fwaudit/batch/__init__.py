"""Many images: `audit_many` audits folders, files and lab manifests on a local pool of
guarded workers or on Dask, resumably, and ends with the fleet tables.

    >>> report = fwaudit.audit_many(["firmware/"], out="audit-2026-11", workers=2)
    >>> report.fleet.sort_values("fail_verdicts", ascending=False)

Images are identified by sha256: the same bytes under two names are audited once, and a
rerun keeps every image whose record was made by the same fwaudit version, signature
version and settings (`retry_failed` redoes the failures).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._data import signatures_version
from ..limits import Limits
from ..model import Image
from ..outputs import write_atomic
from .jobs import Job, discover
from .progress import BatchProgress, Mode, default_mode
from .runners import run_dask, run_local
from .store import RECORD, RESULT, SBOM, ResultStore
from .tables import POLICY_PREFIX, write_tables
from .worker import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, JobOutput, Settings, Task

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BatchReport", "Job", "Settings", "audit_many", "discover"]


@dataclass
class BatchReport:
    """How a batch ended: one fleet row per input file, and where the tables are."""

    out: Path
    rows: list[dict[str, Any]]
    audited: int
    reused: int
    unique: int
    duplicates: int
    seconds: float
    interrupted: bool = False
    tables: dict[str, Path] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Rows of images that gave no clean result (error rows)."""
        return [r for r in self.rows if r["status"] != "ok"]

    @property
    def fleet(self) -> pd.DataFrame:
        """The fleet table as a DataFrame (one row per input file)."""
        import pandas as pd

        return pd.read_parquet(self.tables["fleet.parquet"])

    @property
    def findings(self) -> pd.DataFrame:
        """Every component, endpoint and verdict of every image, one row each."""
        import pandas as pd

        return pd.read_parquet(self.tables["findings.parquet"])

    def rate(self) -> str:
        """Images audited per second in this run, as text."""
        if not self.audited or not self.seconds:
            return "-"
        return f"{self.audited / self.seconds:.2f} images/s"


def audit_many(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str],
    workers: int | None = None,
    dask: str | None = None,
    policies: Sequence[str | os.PathLike[str]] | None = None,
    retry_failed: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    limits: Limits = Limits(),
    backends: Sequence[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    online: bool = False,
    as_of: str | date | None = None,
    progress: Mode | None = None,
) -> BatchReport:
    """Audit every image under `inputs` (folders, files, CSV manifests) into `out`.

    `workers` local worker processes (default: one per core), or `dask` = ``"local"`` for a
    Dask LocalCluster with that many workers, or a scheduler address. Each image gets
    `timeout` seconds and `memory_mb` MiB (worker and extractors together); breaching
    either, or any failure, gives an error row and the batch goes on. `progress` is
    ``"bar"``, ``"lines"`` or ``"quiet"`` (default: a bar on a terminal, else lines).
    Every image is judged as the law stood on `as_of` (default: the day the batch starts);
    a rerun keeps results judged for a day no dated entry of the data separates from it.
    """
    from ..jurisdiction.dates import resolve_as_of  # loads the analysis stack: here only

    started = time.monotonic()
    out_dir = Path(out).absolute()
    store = ResultStore(out_dir)
    store.clean()
    workers = workers or os.cpu_count() or 1
    settings = Settings(
        policies=tuple(str(p) for p in policies) if policies else None,
        backends=tuple(backends) if backends else None,
        limits=limits,
        cache_dir=str(Path(cache_dir).absolute()) if cache_dir else None,
        online=online,
        timeout=timeout,
        memory_mb=memory_mb,
        as_of=resolve_as_of(as_of).isoformat(),
    )
    plan = _plan(discover(inputs, exclude=out_dir), store, settings, retry_failed=retry_failed)
    shown = BatchProgress(progress or default_mode())
    shown.start(len(plan.tasks), reused=len(plan.records), duplicates=plan.duplicates)

    def on_output(task: Task, output: JobOutput) -> None:
        plan.records[task.sha256] = store.save(task, output)
        shown.advance(plan.records[task.sha256])

    interrupted = False
    try:
        if dask:
            run_dask(plan.tasks, address=dask, workers=workers, on_output=on_output)
        else:
            logs = out_dir / "logs"
            logs.mkdir(exist_ok=True)
            run_local(plan.tasks, workers=workers, on_output=on_output, logs=logs)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        shown.close()
    rows, findings = _fleet(plan, store)
    report = BatchReport(
        out=out_dir,
        rows=rows,
        audited=sum(1 for t in plan.tasks if t.sha256 in plan.records),
        reused=plan.reused,
        unique=len(plan.images),
        duplicates=plan.duplicates,
        seconds=time.monotonic() - started,
        interrupted=interrupted,
        tables=write_tables(out_dir, rows, findings),
    )
    _write_run(report, settings, inputs)
    return report


@dataclass
class _Plan:
    jobs: list[tuple[Job, str | None, int, str | None]]  # job, sha256, size, input error
    images: dict[str, Job]  # sha256 -> the first job with those bytes
    tasks: list[Task]
    records: dict[str, dict[str, Any]]
    reused: int = 0
    duplicates: int = 0


def _plan(jobs: list[Job], store: ResultStore, settings: Settings, *, retry_failed: bool) -> _Plan:
    """Hash every input, keep one job per distinct image, reuse finished records."""
    plan = _Plan(jobs=[], images={}, tasks=[], records={})
    settings_key = settings.key
    for job in jobs:
        try:
            image = Image.from_path(job.path)
        except OSError as exc:
            plan.jobs.append((job, None, 0, f"{job.path}: cannot read ({exc.strerror})"))
            continue
        plan.jobs.append((job, image.sha256, image.size, None))
        if image.sha256 in plan.images:
            plan.duplicates += 1
            continue
        plan.images[image.sha256] = job
        record = store.reusable(image.sha256, settings_key=settings_key, retry_failed=retry_failed)
        if record is not None:
            plan.records[image.sha256] = record
            plan.reused += 1
        else:
            plan.tasks.append(Task(job, image.sha256, image.size, settings))
    plan.tasks.sort(key=lambda t: -t.size)  # longest first: workers finish together
    return plan


def _fleet(plan: _Plan, store: ResultStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per input file, and the findings of every distinct image once."""
    rows = []
    for job, sha256, size, input_error in plan.jobs:
        row: dict[str, Any] = {
            "image": job.path.name,
            "path": str(job.path),
            "source": job.source,
            "sha256": sha256,
            "size": size,
            "declared_vendor": job.declared_vendor,
            "model": job.model,
            "firmware_version": job.firmware_version,
        }
        first = plan.images.get(sha256) if sha256 else None
        row["duplicate_of"] = str(first.path) if first is not None and first != job else None
        record = plan.records.get(sha256) if sha256 else None
        if input_error is not None:
            row.update(status="error", error_kind="input", error=input_error)
        elif record is None:
            row.update(status="not-run", error_kind=None, error="the batch stopped before it")
        else:
            row.update(_record_columns(record, store.folder(record["sha256"]), store.out))
        rows.append(row)
    findings = [
        {"image": job.path.name, "sha256": sha256, **finding}
        for sha256, job in plan.images.items()
        for finding in (plan.records.get(sha256) or {}).get("findings", ())
    ]
    return rows, findings


def _record_columns(record: dict[str, Any], folder: Path, out: Path) -> dict[str, Any]:
    summary = dict(record.get("summary") or {})
    policies = summary.pop("policies", {})
    timings = record.get("timings") or {}
    return {
        "status": record["status"],
        "error_kind": record.get("error_kind"),
        "error": record.get("error"),
        **summary,
        **{f"{POLICY_PREFIX}{p}": outcome for p, outcome in sorted(policies.items())},
        "seconds": timings.get("total"),
        "seconds_unpack": timings.get("unpack"),
        "peak_rss_mb": record.get("peak_rss_mb"),
        "worker": record.get("worker"),
        "finished": record.get("finished"),
        "fwaudit_version": record.get("fwaudit_version"),
        "signatures_version": record.get("signatures_version"),
        "result": str((folder / RESULT).relative_to(out)) if record.get("has_result") else None,
        "sbom": str((folder / SBOM).relative_to(out)) if record.get("has_sbom") else None,
        "record": str((folder / RECORD).relative_to(out)),
    }


def _write_run(report: BatchReport, settings: Settings, inputs: Sequence[Any]) -> None:
    """`batch.json`: what the last run was asked and how it ended."""
    statuses = Counter(row["status"] for row in report.rows)
    run = {
        "fwaudit_version": __version__,
        "signatures_version": signatures_version(),
        "settings": settings.key,
        "as_of": settings.as_of,
        "inputs": [str(i) for i in inputs],
        "images": len(report.rows),
        "statuses": dict(statuses),
        "audited": report.audited,
        "reused": report.reused,
        "duplicates": report.duplicates,
        "seconds": round(report.seconds, 2),
        "interrupted": report.interrupted,
    }
    write_atomic(report.out / "batch.json", json.dumps(run, indent=1))
