"""The analyst's AuditResult: DataFrames, explanations, plots, outputs and reopening."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import fwaudit
from fwaudit import AuditResult
from tests.jurisdiction.cameras import CN_CLOUDS, camera_image

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def sample_result(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    return fwaudit.audit(sample, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    folder = tmp_path_factory.mktemp("camera")
    image = camera_image(folder / "cam.tar.gz", CN_CLOUDS, "cn")
    return fwaudit.audit(image, cache_dir=folder / "cache", policy="uk-2022-sensitive-sites")


def test_tables_are_dataframes_with_evidence_columns(sample_result: AuditResult) -> None:
    components = sample_result.components
    assert isinstance(components, pd.DataFrame)
    busybox = components.set_index("name").loc["busybox"]
    assert busybox.version == "1.35.0" and busybox.purl.startswith("pkg:")
    assert busybox.path.endswith("bin/busybox") and busybox.method == "yara:busybox"
    assert busybox.offset > 0 and busybox.evidence >= 2
    outbound = sample_result.outbound
    assert len(outbound) == len(sample_result.data.outbound) > 0
    assert outbound.outbound.all() and outbound.path.notna().all()
    assert {"id", "policy", "outcome", "rationale", "facts"} <= set(sample_result.verdicts.columns)
    files = sample_result.files
    assert (files.kind == "elf").sum() == len(sample_result.data.unpack.elf_files)
    assert files.loc[files.kind == "elf", "arch"].eq("arm").all()


def test_policy_argument_and_the_jupyter_view(camera: AuditResult) -> None:
    assert camera.outcomes == {"uk-2022-sensitive-sites": "fail"}
    view = camera._repr_html_()
    assert "cam.tar.gz" in view and "uk-2022-sensitive-sites: fail" in view
    assert "top risks" in view and "litedev.hik-connect.com" in view
    assert "fail:" in repr(camera)


def test_explain_a_verdict_shows_rule_bytes_and_sourced_facts(camera: AuditResult) -> None:
    row = camera.verdicts[camera.verdicts.subject == "litedev.hik-connect.com"].iloc[0]
    why = camera.explain(row)
    text = str(why)
    assert why.kind == "verdict" and "FAIL" in why.headline
    assert "etc/cloud.conf" in text and "hik-connect" in text
    assert why.places[0].dump and "litedev.hik-conn" in why.places[0].dump  # the bytes
    assert why.facts and all(f.sources and f.as_of for f in why.facts)
    assert "https://" in why._repr_html_()


def test_explain_components_and_endpoints_by_name(sample_result: AuditResult) -> None:
    busybox = sample_result.explain("busybox")
    assert busybox.kind == "component" and "BusyBox v1.35.0" in str(busybox)
    assert any(p.dump and "42 75 73 79 42 6f 78" in p.dump for p in busybox.places)
    host = sample_result.outbound.iloc[0].host
    assert sample_result.explain(host).kind == "endpoint"
    with pytest.raises(KeyError, match="no verdict, component or endpoint"):
        sample_result.explain("no-such-thing")


def test_plots_are_figures_that_save_as_png(camera: AuditResult, tmp_path: Path) -> None:
    for plot in (camera.plot_endpoints, camera.plot_components, camera.plot_verdicts):
        figure = plot()
        figure.savefig(tmp_path / "p.png")
        assert (tmp_path / "p.png").read_bytes().startswith(PNG)
    bars = camera.plot_endpoints().axes[0].patches
    assert len(bars) >= 1


def test_saved_results_and_sboms_reopen(camera: AuditResult, tmp_path: Path) -> None:
    again = fwaudit.load(camera.to_json(tmp_path / "cam.result.json"))
    assert again.data == camera.data
    camera.to_cyclonedx(tmp_path / "cam.cdx.json")
    from_sbom = fwaudit.load(tmp_path / "cam.cdx.json")
    assert set(from_sbom.components.name) == set(camera.components.name)
    assert set(from_sbom.outbound.host) == set(camera.outbound.host)
    assert set(from_sbom.verdicts.id) == set(camera.verdicts.id)
    assert from_sbom.outcomes == camera.outcomes
    assert str(from_sbom.explain(camera.verdicts.iloc[0].id)).startswith("verdict ")
    (tmp_path / "x.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(fwaudit.InputError, match="neither"):
        fwaudit.load(tmp_path / "x.json")


def test_load_fleet_reopens_a_batch(tmp_path: Path) -> None:
    from tests.batch.fleet_images import make_fleet

    make_fleet(tmp_path / "in", count=2)
    fwaudit.audit_many(
        [tmp_path / "in"], out=tmp_path / "out", cache_dir=tmp_path / "c", progress="quiet"
    )
    fleet = fwaudit.load_fleet(tmp_path / "out")
    assert len(fleet.fleet) == 4 and set(fleet.findings.kind) >= {"component", "endpoint"}
    assert set(fleet.failing.image) == {"cam-0.tar.gz", "cam-0-again.tar.gz"}
    assert fleet.result("cam-0.tar.gz").outcomes["uk-2022-sensitive-sites"] == "fail"
    for plot in (fleet.plot_makers, fleet.plot_countries, fleet.plot_policies):
        plot().savefig(tmp_path / "f.png")
    assert "failing a policy" in fleet._repr_html_()
    with pytest.raises(fwaudit.InputError):
        fwaudit.load_fleet(tmp_path / "in")
