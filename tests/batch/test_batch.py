"""Batch runs on a local pool: outputs, fleet tables, resuming, guards, a killed batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from fwaudit import audit_many
from fwaudit.batch.guard import GuardedWorker, descendants
from fwaudit.batch.jobs import Job
from fwaudit.batch.worker import Settings, Task
from fwaudit.cli import main
from fwaudit.model import Image
from fwaudit.results import load_result

from .fleet_images import make_fleet

UK = "policy:uk-2022-sensitive-sites"


def records(out: Path) -> dict[str, int]:
    """Finished images and when their record was written."""
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("images/*/record.json")}


def serving_workers() -> list[int]:
    found = []
    for pid in descendants(os.getpid()):
        try:
            if b"fwaudit.batch._serve" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory: pytest.TempPathFactory):
    """One batch of the generated fleet on two workers, through the command line."""
    root = tmp_path_factory.mktemp("fleet")
    images = make_fleet(root / "in")
    out = root / "out"
    argv = ["batch", str(root / "in"), "--out", str(out), "--workers", "2", "-q"]
    code = main([*argv, "--cache-dir", str(root / "cache")])
    return root, images, out, code


def test_one_row_per_input_with_outputs_per_distinct_image(fleet_run) -> None:
    _, images, out, code = fleet_run
    assert code == 1  # README.txt is not firmware: an error row, and the exit code says so
    fleet = pd.read_parquet(out / "fleet.parquet")
    assert len(fleet) == len(images) == len(pd.read_csv(out / "fleet.csv"))
    by_name = fleet.set_index("image")
    readme = by_name.loc["README.txt"]
    assert (readme.status, readme.error_kind) == ("error", "unrecognised")
    copy = by_name.loc["cam-0-again.tar.gz"]
    assert copy.duplicate_of == str(images["cam-0.tar.gz"]) and copy.status == "ok"
    assert copy.sha256 == by_name.loc["cam-0.tar.gz"].sha256
    assert len(list(out.glob("images/*/record.json"))) == 5  # 4 cameras + the note, once each
    assert (
        by_name.loc["cam-0.tar.gz", UK] == "fail"
        and by_name.loc["cam-1.tar.gz", UK] == "inconclusive"
    )
    assert by_name.loc["cam-0.tar.gz", "operator_countries"] == "CN"
    assert by_name.loc["cam-0.tar.gz", "components"] >= 1
    assert by_name.loc["cam-0.tar.gz", "peak_rss_mb"] > 50


def test_each_image_has_a_valid_sbom_and_a_full_result(fleet_run) -> None:
    _, images, out, _ = fleet_run
    row = pd.read_parquet(out / "fleet.parquet").set_index("image").loc["cam-0.tar.gz"]
    sbom = (out / row.sbom).read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom) is None
    result = load_result(out / row.result)
    assert result.image.sha256 == row.sha256 == Image.from_path(images["cam-0.tar.gz"]).sha256
    assert {v.outcome.value for v in result.assessment.verdicts} >= {"fail"}
    record = json.loads((out / row.record).read_text())
    assert record["status"] == "ok" and record["timings"]["unpack"] > 0


def test_findings_table_has_components_endpoints_and_verdicts(fleet_run) -> None:
    _, _, out, _ = fleet_run
    findings = pd.read_parquet(out / "findings.parquet")
    cam0 = findings[findings.image == "cam-0.tar.gz"]
    assert set(cam0.kind) == {"component", "endpoint", "verdict"}
    hik = cam0[(cam0.kind == "endpoint") & (cam0.name == "litedev.hik-connect.com")].iloc[0]
    assert hik.country == "CN" and hik.outbound
    assert hik.path.endswith("etc/cloud.conf") and hik.offset > 0 and hik.method
    fails = cam0[(cam0.kind == "verdict") & (cam0.outcome == "fail")]
    assert not fails.empty and fails.rationale.str.len().min() > 20
    assert fails.facts.str.contains("lists/").any()
    assert (findings.sha256.str.len() == 64).all()


def test_rerun_keeps_every_finished_image_and_retry_redoes_only_failures(fleet_run) -> None:
    root, images, out, _ = fleet_run
    before = records(out)
    again = audit_many([root / "in"], out=out, workers=2, progress="quiet")
    assert (again.audited, again.reused, again.duplicates) == (0, 5, 1)
    assert records(out) == before  # nothing rewritten
    retried = audit_many([root / "in"], out=out, workers=2, progress="quiet", retry_failed=True)
    assert (retried.audited, retried.reused) == (1, 4)
    readme_sha = Image.from_path(images["README.txt"]).sha256
    changed = {sha for sha, mtime in records(out).items() if before[sha] != mtime}
    assert changed == {readme_sha}


def test_other_policies_make_results_stale(fleet_run) -> None:
    root, _, out, _ = fleet_run
    report = audit_many(
        [root / "in" / "cam-1.tar.gz"],
        out=out,
        workers=1,
        policies=["us-ndaa-889"],
        cache_dir=root / "cache",
        progress="quiet",
    )
    assert report.audited == 1
    assert list(report.fleet.filter(like="policy:").columns) == ["policy:us-ndaa-889"]


def test_a_day_no_transition_separates_reuses_results_and_another_day_redoes(fleet_run) -> None:
    """The batch judged every image for the day it ran; a rerun for a day of the same epoch
    keeps the results, one for a day before a transition redoes them for that day."""
    from fwaudit.jurisdiction import load
    from fwaudit.jurisdiction.dates import today

    root, _, out, _ = fleet_run
    one = [root / "in" / "cam-2.tar.gz"]
    assert pd.read_parquet(out / "fleet.parquet")["as_of"].dropna().eq(today().isoformat()).all()
    epoch = date.fromisoformat(load().epoch(today()))
    same = audit_many(one, out=out, workers=1, as_of=epoch, progress="quiet")
    assert (same.audited, same.reused) == (0, 1)
    earlier = audit_many(one, out=out, workers=1, as_of="2025-06-01", progress="quiet")
    assert (earlier.audited, earlier.reused) == (1, 0)
    assert earlier.fleet["as_of"].tolist() == ["2025-06-01"]
    run = json.loads((out / "batch.json").read_text())
    assert run["as_of"] == "2025-06-01"


def test_the_fleet_shows_outcomes_at_two_days(fleet_run) -> None:
    from fwaudit import load_fleet

    _, _, out, _ = fleet_run
    table = load_fleet(out).outcomes_at("2025-06-01", "2026-06-01")
    assert list(table.columns) == [
        "image",
        "sha256",
        "policy",
        "2025-06-01",
        "2026-06-01",
        "changed",
    ]
    assert set(table.policy) >= {"uk-2022-sensitive-sites", "us-fcc-covered"}
    assert table["2026-06-01"].isin(["pass", "fail", "review", "inconclusive"]).all()
    assert (table.changed == (table["2025-06-01"] != table["2026-06-01"])).all()


def test_timeouts_and_memory_limits_become_error_rows(tmp_path: Path) -> None:
    make_fleet(tmp_path / "in", count=2)
    slow = audit_many(
        [tmp_path / "in" / "cam-0.tar.gz", tmp_path / "in" / "cam-1.tar.gz"],
        out=tmp_path / "out-timeout",
        workers=1,
        timeout=0.3,
        cache_dir=tmp_path / "cache",
        progress="quiet",
    )
    assert [(r["status"], r["error_kind"]) for r in slow.rows] == [("error", "timeout")] * 2
    assert "0.3 s" in slow.rows[0]["error"]
    big = audit_many(
        [tmp_path / "in" / "cam-0.tar.gz"],
        out=tmp_path / "out-memory",
        workers=1,
        memory_mb=20,
        cache_dir=tmp_path / "cache",
        progress="quiet",
    )
    assert big.rows[0]["error_kind"] == "memory" and "20 MiB" in big.rows[0]["error"]
    assert serving_workers() == []  # killed workers leave nothing running


def test_a_worker_killed_mid_image_is_an_error_row_and_the_next_image_runs(
    tmp_path: Path,
) -> None:
    images = make_fleet(tmp_path / "in", count=2)
    settings = Settings(cache_dir=str(tmp_path / "cache"))

    def task(name: str) -> Task:
        image = Image.from_path(images[name])
        return Task(Job(images[name], "test"), image.sha256, image.size, settings)

    guard = GuardedWorker()
    try:

        def kill_soon() -> None:
            deadline = time.monotonic() + 30
            while not (workers := serving_workers()) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            for pid in workers:
                os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_soon)
        killer.start()
        first = guard.run(task("cam-0.tar.gz"))
        killer.join()
        assert (first.status, first.error_kind) == ("error", "worker-died")
        assert "signal 9" in first.error
        second = guard.run(task("cam-1.tar.gz"))
        assert second.status == "ok" and second.sbom_json and guard.started == 2
    finally:
        guard.stop()


@pytest.mark.slow
def test_killing_the_batch_mid_run_loses_nothing_and_redoes_only_unfinished(
    tmp_path: Path,
) -> None:
    make_fleet(tmp_path / "in", count=6)
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = [sys.executable, "-m", "fwaudit.cli", "batch", str(tmp_path / "in"), "--out", str(out)]
    batch = subprocess.Popen(
        [*argv, "--workers", "1", "--cache-dir", str(cache), "-q"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(records(out)) < 2 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its workers, mid-image
    batch.wait()
    finished = records(out)
    assert 2 <= len(finished) < 7, "the batch must be killed while images are left"
    assert not (out / "fleet.parquet").exists()

    report = audit_many([tmp_path / "in"], out=out, workers=1, cache_dir=cache, progress="quiet")
    assert report.reused == len(finished) and report.audited == 7 - len(finished)
    assert {sha: records(out)[sha] for sha in finished} == finished  # not redone
    assert [r["status"] for r in report.rows].count("ok") == 7  # 6 cameras + the copy
    assert not list(out.rglob("*.tmp-*"))
    assert len(report.fleet) == 8
