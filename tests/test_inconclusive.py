"""Outcomes that say what was examined: coverage, `inconclusive`, and `scan --fail-on`.

Inputs a policy cannot speak for (random bytes, an encrypted-looking image, an empty file, a
text file, real images cut at half their length, content nested past the depth limit) must
never pass: every policy without a fail or review finding is `inconclusive`, and its verdict
names the reason. Well-covered real images must not become inconclusive.
"""

from __future__ import annotations

import dataclasses
import io
import json
import random
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

import fwaudit
from fwaudit.api import Auditor
from fwaudit.batch.tables import image_summary
from fwaudit.coverage import Rules, measure, rules
from fwaudit.inventory import take_inventory
from fwaudit.limits import Limits
from fwaudit.model import AuditData, Outcome
from fwaudit.report import render_html
from fwaudit.results import result_from_json, result_to_json
from fwaudit.sbom import to_json
from fwaudit.sbom_read import sbom_to_data

WR841N = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
FINDINGS = {Outcome.FAIL, Outcome.REVIEW}


@pytest.fixture(scope="module")
def auditor(tmp_path_factory: pytest.TempPathFactory) -> Auditor:
    return Auditor(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


def random_file(folder: Path, megabytes: int) -> Path:
    path = folder / f"random-{megabytes}mb.bin"
    if not path.exists():
        path.write_bytes(random.Random(megabytes).randbytes(megabytes << 20))
    return path


def half_of(source: Path, folder: Path) -> Path:
    data = source.read_bytes()
    path = folder / f"{source.name}.half"
    path.write_bytes(data[: len(data) // 2])
    return path


def nested_chain(path: Path, levels: int) -> Path:
    """A payload (busybox banner, a cloud endpoint) inside `levels` tar.gz archives."""
    payload = {
        "etc/cloud.conf": b"cloud_server=api.example-camera-cloud.cn\n",
        "bin/busybox": b"\x7fELF\x01\x01\x01" + bytes(9) + b"BusyBox v1.31.1 (2020-01-01)\x00",
    }
    blob = b""
    for level in range(levels + 1):
        members = payload if level == 0 else {f"level{level}.tar.gz": blob}
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 1669248000
                archive.addfile(info, io.BytesIO(data))
        blob = buffer.getvalue()
    path.write_bytes(blob)
    return path


def assert_never_passes(result: AuditData, *reason: str) -> None:
    """No policy passes; each one without a finding is inconclusive, saying why (`reason`)
    and with its evidence and sources."""
    assert result.coverage is not None and not result.coverage.conclusive
    assert any(all(r in text for r in reason) for text in result.coverage.reasons), (
        result.coverage.reasons
    )
    assessment = result.assessment
    for policy, outcome in assessment.policies:
        assert outcome is not Outcome.PASS, policy
        mine = [v for v in assessment.verdicts if v.policy == policy]
        if not any(v.outcome in FINDINGS for v in mine):
            assert outcome is Outcome.INCONCLUSIVE, policy
            (verdict,) = [v for v in mine if v.outcome is Outcome.INCONCLUSIVE]
            assert verdict.rule == "insufficient-coverage"
            assert all(r in verdict.rationale for r in reason), verdict.rationale
            assert "bytes examined" in verdict.rationale
            assert verdict.facts and all(f.sources for f in verdict.facts)
    assert all(v.outcome is not Outcome.PASS for v in assessment.verdicts)


def no_maker(result: AuditData) -> None:
    assert result.assessment.attribution.maker is None


# -- generated inputs nobody can vouch for ----------------------------------------------


@pytest.mark.parametrize("megabytes", [1, 8])
def test_random_bytes_are_inconclusive(auditor: Auditor, inputs: Path, megabytes: int) -> None:
    result = auditor.audit_data(random_file(inputs, megabytes))
    assert_never_passes(result, "encrypted or compressed")
    assert result.coverage.share == 0.0 and result.coverage.basis == "raw bytes"
    assert result.coverage.opaque_bytes == result.image.size
    (region,) = result.coverage.unexplained
    assert (region.offset, region.size) == (0, result.image.size)
    assert region.entropy > 7.99 and region.label.startswith("encrypted or compressed")
    no_maker(result)


@pytest.mark.slow
def test_fifty_megabytes_of_random_bytes_are_inconclusive(auditor: Auditor, inputs: Path) -> None:
    result = auditor.audit_data(random_file(inputs, 50))
    assert_never_passes(result, "encrypted or compressed")
    assert result.coverage.share == 0.0
    no_maker(result)


def test_an_encrypted_looking_image_is_inconclusive(auditor: Auditor, inputs: Path) -> None:
    header = b"FWPK" + struct.pack(">I", 2 << 20)
    header += b"IPC-3200 V5.6.1 build 230412 AES-256-CBC".ljust(56, b"\0")
    image = inputs / "ipc-3200.enc"
    image.write_bytes(header + random.Random(3200).randbytes(2 << 20))
    result = auditor.audit_data(image)
    assert_never_passes(result, "only 0.0% of the image was examined", "encrypted or compressed")
    assert result.coverage.opaque_bytes >= 2 << 20
    no_maker(result)


@pytest.mark.corpus
def test_the_corpus_encrypted_firmware_is_inconclusive(auditor: Auditor, corpus: Path) -> None:
    result = auditor.audit_data(corpus / "fact_senao_testfw_1.enc")
    assert_never_passes(result, "nothing firmware-like was recognised")
    no_maker(result)


def test_an_empty_file_is_inconclusive(auditor: Auditor, inputs: Path) -> None:
    image = inputs / "empty.bin"
    image.write_bytes(b"")
    result = auditor.audit_data(image)
    assert_never_passes(result, "the image is empty (0 bytes)")
    assert result.coverage.basis == "empty"
    no_maker(result)


def test_a_text_file_is_examined_whole_and_still_inconclusive(
    auditor: Auditor, inputs: Path
) -> None:
    image = inputs / "release-notes.txt"
    image.write_text("Release notes: fixes the login page and the cloud settings.\n" * 50)
    result = auditor.audit_data(image)
    assert result.coverage.share == 1.0 and result.coverage.basis == "whole text file"
    assert_never_passes(result, "nothing firmware-like was recognised")
    no_maker(result)


def test_the_sample_cut_at_half_is_inconclusive_where_nothing_fails(
    auditor: Auditor, sample: Path, inputs: Path
) -> None:
    result = auditor.audit_data(half_of(sample, inputs))
    # the surviving half still holds the camera configuration: its findings stand
    assert_never_passes(result, "extract.truncated")
    assert dict(result.assessment.policies)["us-ndaa-889"] is Outcome.INCONCLUSIVE
    verdict = next(v for v in result.assessment.verdicts if v.rule == "insufficient-coverage")
    assert any(e.method == "problem:extract.truncated" for e in verdict.evidence)


@pytest.mark.corpus
def test_wr841n_cut_at_half_is_inconclusive_where_nothing_fails(
    auditor: Auditor, corpus: Path, inputs: Path
) -> None:
    result = auditor.audit_data(half_of(corpus / WR841N, inputs))
    assert_never_passes(result, "extract.truncated")
    for policy in ("us-ndaa-889", "us-fcc-covered", "us-entity-list"):
        assert dict(result.assessment.policies)[policy] is Outcome.INCONCLUSIVE
    maker = result.assessment.attribution.maker  # its intact vendor header still names it
    assert maker is not None and maker.name == "TP-Link"


def test_content_nested_past_the_depth_limit_is_inconclusive(
    auditor: Auditor, inputs: Path
) -> None:
    image = nested_chain(inputs / "nested.tar.gz", Limits().max_depth)
    result = auditor.audit_data(image)
    assert_never_passes(result, "limit.depth")
    assert result.coverage.share < 0.7
    assert any("not extracted" in r.label for r in result.coverage.unexplained)
    assert not any(c.name == "busybox" for c in result.components)
    no_maker(result)


def test_the_same_content_within_the_depth_limit_is_conclusive(
    auditor: Auditor, inputs: Path
) -> None:
    result = auditor.audit_data(nested_chain(inputs / "shallow.tar.gz", 1))
    assert result.coverage.conclusive and result.coverage.share == 1.0, result.coverage
    assert any(c.name == "busybox" for c in result.components)
    assert not any(v.rule == "insufficient-coverage" for v in result.assessment.verdicts)


# -- well-covered real images stay conclusive --------------------------------------------


def assert_well_covered(result: AuditData, share: float) -> None:
    coverage = result.coverage
    assert coverage.conclusive, coverage.reasons
    assert coverage.share >= share and coverage.basis == "extracted"
    assert not any(v.rule == "insufficient-coverage" for v in result.assessment.verdicts)
    passes = [v for v in result.assessment.verdicts if v.outcome is Outcome.PASS]
    assert passes, "a well-covered image passes some policy"
    for verdict in passes:  # every pass says what it examined
        assert f"{coverage.share:.1%} of {coverage.image_size:,} bytes examined" in (
            verdict.rationale
        )
        assert "components" in verdict.rationale and "outbound endpoints" in verdict.rationale


def test_the_sample_is_well_covered(sample: Path, session_cache: Path) -> None:
    # the sample names no maker: a declared one (in the data) lets the maker rules speak
    result = Auditor(cache_dir=session_cache).audit_data(sample, declared_vendor="Wyze")
    assert_well_covered(result, 0.999)
    assert result.coverage.files > 300


@pytest.mark.corpus
def test_wr841n_is_well_covered(corpus: Path, session_cache: Path) -> None:
    result = Auditor(cache_dir=session_cache).audit_data(corpus / WR841N)
    assert_well_covered(result, 0.97)
    assert result.coverage.padding_bytes > 500_000  # flash padding counts as examined
    assert dict(result.assessment.policies)["uk-2022-sensitive-sites"] is Outcome.FAIL


# -- what coverage counts ----------------------------------------------------------------


def test_a_bare_elf_is_examined_whole(auditor: Auditor, tmp_path: Path) -> None:
    result = auditor.audit_data(Path(sys.executable).resolve())
    assert result.coverage.basis == "whole ELF file" and result.coverage.share > 0.9
    assert result.coverage.recognised


def test_padding_counts_and_unknown_data_does_not(
    auditor: Auditor, inputs: Path, sample: Path
) -> None:
    """The sample's squashfs behind 1 MiB of 0xFF and 64 KiB of text-like unknown data."""
    image = inputs / "padded.bin"
    text = (b"vendor bootloader v1.0 " * 3000)[: 64 << 10]
    image.write_bytes(text + b"\xff" * (1 << 20) + sample.read_bytes())
    result = auditor.audit_data(image)
    coverage = result.coverage
    assert coverage.padding_bytes >= 1 << 20
    unknown = [r for r in coverage.unexplained if r.container == "" and not r.opaque]
    assert unknown and unknown[0].offset == 0 and unknown[0].label.startswith("unknown data")
    assert coverage.examined_bytes == coverage.image_size - sum(r.size for r in unknown)


def test_files_a_stage_skips_are_problems_and_unexamined(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fwaudit.endpoints
    import fwaudit.identify.binary

    monkeypatch.setattr(fwaudit.identify.binary, "MAX_SCAN_BYTES", 100)
    monkeypatch.setattr(fwaudit.endpoints, "MAX_SCAN_BYTES", 100)
    image = nested_chain(inputs / "skipped.tar.gz", 1)
    result = Auditor(cache_dir=tmp_path / "cache").audit_data(image)
    skipped = [p for p in result.all_problems if p.kind == "scan.skipped"]
    assert {p.stage for p in skipped} == {"identify", "endpoints"}
    assert all("over the" in p.detail and "scan cap" in p.detail for p in skipped)
    assert result.coverage.skipped_files >= 1
    assert any(r.label.startswith("not read") for r in result.coverage.unexplained)


def test_thresholds_are_data(auditor: Auditor, inputs: Path) -> None:
    settings = rules()
    assert 0 < settings.min_examined_share < 1 and settings.require_recognised
    assert "limit.*" in settings.inconclusive_problems
    assert {m.name for m in settings.archives} >= {"gzip", "xz", "squashfs", "tar"}
    image = random_file(inputs, 1)
    result = auditor.audit_data(image)
    lenient = Rules(min_examined_share=0.0, require_recognised=False, inconclusive_problems=())
    inventory = take_inventory(result.image, result.unpack)
    assert measure(result.image, result.unpack, inventory, settings=lenient).conclusive
    with pytest.raises(ValueError):
        Rules(min_examined_share=1.5)


# -- every output carries coverage and the fourth outcome --------------------------------


def test_sbom_result_report_fleet_and_diff_carry_coverage(
    auditor: Auditor, inputs: Path, sample: Path, session_cache: Path
) -> None:
    blob = auditor.audit_data(random_file(inputs, 1))
    text = to_json(blob)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    props = {}
    for prop in json.loads(text)["metadata"]["component"]["properties"]:
        props.setdefault(prop["name"], []).append(prop["value"])
    assert props["fwaudit:coverage:share"] == ["0.0000"]
    assert props["fwaudit:coverage:conclusive"] == ["false"]
    assert props["fwaudit:policy:us-ndaa-889"] == ["inconclusive"]
    assert props["fwaudit:coverage:unexplained"][0].startswith("<image>@0+1048576 entropy")
    back = sbom_to_data(json.loads(text))
    assert back.coverage == dataclasses.replace(
        blob.coverage, problems=(), reasons=tuple(sorted(blob.coverage.reasons))
    )
    assert dict(back.assessment.policies)["us-ndaa-889"] is Outcome.INCONCLUSIVE
    assert result_from_json(result_to_json(blob)).coverage == blob.coverage

    page = render_html(blob, plots=False)
    assert 'id="inconclusive"' in page and 'class="badge inconclusive"' in page
    assert 'id="coverage-summary" data-share="0.0000"' in page

    summary = image_summary(blob)
    assert summary["coverage"] == 0.0 and summary["conclusive"] is False
    assert "encrypted or compressed" in summary["inconclusive_reasons"]
    assert summary["inconclusive_verdicts"] == len(blob.assessment.policies)

    result = fwaudit.AuditResult(blob)
    assert result.coverage is blob.coverage and len(result.unexplained) == 1
    assert "inconclusive" in result._repr_html_()

    covered = Auditor(cache_dir=session_cache).audit_data(sample)
    assert 'id="inconclusive"' not in render_html(covered, plots=False)
    changes = fwaudit.diff(covered, blob)
    assert ("examined", "100.0%", "0.0%") in changes.coverage_changed
    assert ("uk-2022-sensitive-sites", "fail", "inconclusive") in changes.policies_changed


def fwaudit_cli(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwaudit.cli", *map(str, args), "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_fail_on_gives_exit_3_for_ci_gates(
    inputs: Path, sample: Path, tmp_path: Path, session_cache: Path
) -> None:
    blob, out = random_file(inputs, 1), tmp_path / "x.cdx.json"
    run = fwaudit_cli(
        "scan", blob, "-o", out, "--fail-on", "fail,review,inconclusive", cache=tmp_path
    )
    assert run.returncode == 3, run.stderr
    assert "INCONCLUSIVE" in run.stdout and "coverage: 0.0% of 1,048,576 bytes" in run.stdout
    assert "--fail-on inconclusive: us-ndaa-889 is inconclusive" in run.stderr
    assert out.is_file()  # the SBOM is written all the same
    run = fwaudit_cli("scan", blob, "-o", out, cache=tmp_path)
    assert run.returncode == 0  # no gate asked for
    run = fwaudit_cli("scan", sample, "-o", out, "--fail-on", "inconclusive", cache=session_cache)
    assert run.returncode == 3  # the sample names no maker: the maker rules could not speak
    assert "us-ndaa-889 is inconclusive" in run.stderr
    assert "coverage: 100.0% of 5,582,912 bytes examined" in run.stdout
    declared = ("--declared-vendor", "Wyze")
    run = fwaudit_cli(
        "scan", sample, "-o", out, "--fail-on", "inconclusive", *declared, cache=session_cache
    )
    assert run.returncode == 0, run.stderr
    run = fwaudit_cli("scan", sample, "-o", out, "--fail-on", "fail", cache=session_cache)
    assert run.returncode == 3  # the sample's CN endpoints fail uk-2022-sensitive-sites
    run = fwaudit_cli("scan", blob, "-o", out, "--fail-on", "doubtful", cache=tmp_path)
    assert run.returncode == 2 and "outcomes are" in run.stderr
    absent = tmp_path / "absent.bin"
    run = fwaudit_cli("scan", absent, "-o", out, "--fail-on", "inconclusive", cache=tmp_path)
    assert run.returncode == 2  # an input error is never mistaken for a gate
