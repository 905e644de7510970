"""Batches on Dask: a real scheduler and two real worker processes on loopback, and the
LocalCluster of `--dask local`."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from fwaudit import audit_many
from fwaudit.cli import main

from .fleet_images import make_fleet

distributed = pytest.importorskip("distributed", reason="the fwaudit[dask] extra is not installed")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes, as a lab would start them."""
    scratch = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = str(Path(sys.executable).parent / "dask")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    host, port = address.removeprefix("tcp://").split(":")
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", host, "--port", port, "--no-dashboard"], **quiet
        )
    ]
    for n in range(2):
        processes.append(
            subprocess.Popen(
                [
                    *(dask, "worker", address, "--nthreads", "1", "--name", f"lab-{n}"),
                    *("--no-dashboard", "--local-directory", str(scratch / f"w{n}")),
                ],
                **quiet,
            )
        )
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_batch_runs_on_an_existing_scheduler_and_its_two_workers(
    scheduler: str, tmp_path: Path
) -> None:
    images = make_fleet(tmp_path / "in", count=4)
    report = audit_many(
        [tmp_path / "in"],
        out=tmp_path / "out",
        dask=scheduler,
        cache_dir=tmp_path / "cache",
        progress="quiet",
    )
    fleet = report.fleet
    assert len(fleet) == len(images)
    assert (fleet.status == "ok").sum() == 5 and report.audited == 5  # the note fails
    assert fleet.set_index("image").loc["cam-2.tar.gz", "policy:uk-2022-sensitive-sites"] == (
        "fail"
    )
    assert fleet.worker.dropna().nunique() == 2  # both Dask workers audited images
    # results came back to this process, which wrote them into the output folder
    assert len(list((tmp_path / "out").glob("images/*/sbom.cdx.json"))) == 5
    again = audit_many([tmp_path / "in"], out=tmp_path / "out", dask=scheduler, progress="quiet")
    assert (again.audited, again.reused) == (0, 5)


def test_dask_local_starts_a_local_cluster(tmp_path: Path) -> None:
    make_fleet(tmp_path / "in", count=2)
    out = tmp_path / "out"
    inputs = [str(tmp_path / "in" / "cam-0.tar.gz"), str(tmp_path / "in" / "cam-1.tar.gz")]
    code = main(
        [
            *("batch", *inputs, "--out", str(out), "--dask", "local", "--workers", "2", "-q"),
            *("--cache-dir", str(tmp_path / "cache")),
        ]
    )
    assert code == 0
    fleet = pd.read_csv(out / "fleet.csv")
    assert list(fleet.status) == ["ok", "ok"]
