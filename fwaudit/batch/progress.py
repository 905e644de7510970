"""What a batch shows while it runs and when it ends: a progress bar with ETA, images per
second and failures on a terminal; a line per image in a log; nothing in quiet mode; and a
summary table at the end."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from . import BatchReport

Mode = Literal["bar", "lines", "quiet"]


def default_mode(quiet: bool = False) -> Mode:
    """A bar on a terminal, lines in a log, nothing when asked to be quiet."""
    if quiet:
        return "quiet"
    return "bar" if sys.stderr.isatty() else "lines"


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        """Images per second since the start (rich's own estimate jumps when two images
        finish together)."""
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if task.completed and elapsed > 0 else None
        return Text(f"{rate:.2f} img/s" if rate else "- img/s", style="cyan")


class BatchProgress:
    """Progress of one batch; `advance` once per image as its record is written."""

    def __init__(self, mode: Mode, *, console: Console | None = None) -> None:
        self.mode = mode
        self.console = console or Console(stderr=True)
        self.failures = 0
        self.done = 0
        self.total = 0
        self._bar: Progress | None = None
        self._task: Any = None

    def start(self, total: int, *, reused: int, duplicates: int) -> None:
        """Announce the run and show the bar (terminal) for `total` images."""
        self.total = total
        if self.mode == "quiet":
            return
        note = f"{total} to audit, {reused} already done, {duplicates} duplicates"
        self.console.print(f"fwaudit batch: {note}", highlight=False)
        if self.mode == "bar" and total:
            self._bar = Progress(
                TextColumn("[bold]auditing"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                TextColumn("[red]{task.fields[failures]} failed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self._bar.start()
            self._task = self._bar.add_task("audit", total=total, failures=0)

    def advance(self, record: dict[str, Any]) -> None:
        """One image finished (its record is written)."""
        self.done += 1
        if record.get("status") != "ok":
            self.failures += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, failures=self.failures)
        elif self.mode == "lines":
            seconds = (record.get("timings") or {}).get("total")
            took = f"{seconds:.1f} s" if seconds is not None else "-"
            what = record["status"] if record["status"] == "ok" else record.get("error_kind")
            self.console.print(
                f"[{self.done}/{self.total}] {what:<12} {took:>8}  {record.get('image')}",
                highlight=False,
                markup=False,
            )

    def close(self) -> None:
        """Take the bar down."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def summary_table(report: BatchReport) -> Table:
    """The end-of-batch table: what was done, what failed and why, verdicts per policy."""
    table = Table(title=f"fwaudit batch: {report.out}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    rows = report.rows
    statuses = Counter(r["status"] for r in rows)
    table.add_row(
        "images", f"{len(rows)} ({report.unique} distinct, {report.duplicates} duplicates)"
    )
    table.add_row("audited now", f"{report.audited} in {report.seconds:.1f} s ({report.rate()})")
    table.add_row("kept from earlier runs", str(report.reused))
    table.add_row("ok", str(statuses["ok"]))
    failed = Counter(r["error_kind"] for r in rows if r["status"] == "error")
    if failed:
        table.add_row("[red]failed", ", ".join(f"{n} {kind}" for kind, n in sorted(failed.items())))
    if statuses["not-run"]:
        table.add_row("[yellow]not run (interrupted)", str(statuses["not-run"]))
    if unclear := [r for r in rows if r.get("conclusive") is False]:
        table.add_row("[bright_black]inconclusive", f"{len(unclear)} (too little examined)")
    for column in sorted({k for r in rows for k in r if k.startswith("policy:")}):
        outcomes = Counter(r.get(column) for r in rows if r.get(column))
        shown = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
        table.add_row(column.removeprefix("policy:"), shown)
    if peaks := [r["peak_rss_mb"] for r in rows if r.get("peak_rss_mb")]:
        table.add_row("peak memory per worker", f"{max(peaks):.0f} MiB")
    table.add_row("tables", ", ".join(str(p.name) for p in report.tables.values()))
    return table
