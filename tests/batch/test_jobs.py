"""Inputs of a batch: folders, files and manifests become jobs, once each, in a stable order."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit.batch.jobs import discover
from fwaudit.errors import InputError

from .fleet_images import make_fleet, write_manifest


def test_folder_is_recursive_sorted_and_skips_the_output_folder(tmp_path: Path) -> None:
    make_fleet(tmp_path / "in", count=2)
    out = tmp_path / "in" / "results"
    out.mkdir()
    (out / "stale.json").write_text("{}")
    jobs = discover([tmp_path / "in"], exclude=out)
    names = [j.path.relative_to(tmp_path / "in").as_posix() for j in jobs]
    assert names == ["README.txt", "cam-0.tar.gz", "cam-1.tar.gz", "copies/cam-0-again.tar.gz"]
    assert all(j.source == str(tmp_path / "in") for j in jobs)


def test_manifest_columns_and_relative_paths(tmp_path: Path) -> None:
    images = make_fleet(tmp_path / "drop", count=2)
    manifest = write_manifest(
        tmp_path / "drop" / "inventory.csv",
        [
            {"Path": "cam-0.tar.gz", "Vendor": "Hikvision", "Model": "DS-2CD", "Version": "5.5"},
            {"Path": str(images["cam-1.tar.gz"]), "Vendor": "", "Model": "", "Version": ""},
            {"Path": "", "Vendor": "skipped: no path", "Model": "", "Version": ""},
            {"Path": "missing.bin", "Vendor": "Dahua", "Model": "", "Version": ""},
        ],
    )
    jobs = discover([manifest])
    assert [j.path.name for j in jobs] == ["cam-0.tar.gz", "cam-1.tar.gz", "missing.bin"]
    first = jobs[0]
    assert (first.declared_vendor, first.model, first.firmware_version) == (
        "Hikvision",
        "DS-2CD",
        "5.5",
    )
    assert first.source == f"{manifest}:2"
    assert jobs[1].declared_vendor is None
    assert jobs[2].path == (tmp_path / "drop" / "missing.bin").absolute()  # its audit reports it


def test_a_path_named_twice_is_one_job_and_a_missing_argument_is_an_error(tmp_path: Path) -> None:
    images = make_fleet(tmp_path, count=1)
    assert len(discover([images["cam-0.tar.gz"], tmp_path / "cam-0.tar.gz"])) == 1
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "nope"])


def test_a_csv_without_a_path_column_is_an_image_like_any_file(tmp_path: Path) -> None:
    table = tmp_path / "numbers.csv"
    table.write_text("a,b\n1,2\n")
    assert [j.path for j in discover([table])] == [table.absolute()]
