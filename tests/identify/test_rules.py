"""Component rules: the meta schema holds, every rule has a banner that it matches with the
expected version, negatives yield nothing, and a broken rule file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit._data import signatures_dir
from fwaudit.errors import SignatureError
from fwaudit.identify.binary import scan_file
from fwaudit.identify.rules import RuleSet
from fwaudit.identify.selftest import read_banners, run_selftest
from fwaudit.identify.snippets import check_snippet, find_snippets, read_snippet
from fwaudit.model import FileEntry

HERE = Path(__file__).parent
RULES = RuleSet()
BANNERS = signatures_dir() / "components" / "banners.tsv"
SNIPPETS = HERE / "snippets"


def banner_rows() -> list[tuple[str, str, str, str | None]]:
    return [
        (data.decode("latin-1"), rule, name, version)
        for data, rule, name, version in read_banners(BANNERS)
    ]


def scan_bytes(data: bytes, tmp_path: Path) -> list:
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00" * 16 + data + b"\x00" * 16)
    return scan_file(RULES, FileEntry("blob.bin", path.stat().st_size, "x", "data"), path)


@pytest.mark.parametrize(("banner", "rule", "name", "version"), banner_rows())
def test_banner_is_identified_with_its_exact_version(
    tmp_path: Path, banner: str, rule: str, name: str, version: str | None
) -> None:
    findings = scan_bytes(banner.encode("latin-1"), tmp_path)
    mine = [f for f in findings if f.evidence.method == f"yara:{rule}"]
    assert mine, f"{rule} did not match {banner!r}"
    assert {f.name for f in mine} == {name}
    if version is not None:
        assert version in {f.version for f in mine}
    for finding in mine:
        assert finding.evidence.offset is not None and finding.evidence.offset >= 16


def test_every_rule_has_a_banner_row() -> None:
    covered = {rule for _, rule, _, _ in banner_rows()}
    assert set(RULES.meta) - covered == set()


def test_at_least_120_component_families() -> None:
    assert len(RULES.families()) >= 120


@pytest.mark.parametrize("negative", sorted((HERE / "negative").iterdir()), ids=lambda p: p.name)
def test_negative_fixtures_yield_no_component(tmp_path: Path, negative: Path) -> None:
    findings = scan_file(
        RULES, FileEntry(negative.name, negative.stat().st_size, "x", "data"), negative
    )
    kinds = ("component", "module")  # a module banner is a component too (modules.py)
    components = [f for f in findings if RULES.meta[f.evidence.method[5:]].kind in kinds]
    assert components == []


def test_libressl_is_not_openssl(tmp_path: Path) -> None:
    findings = scan_bytes(b"LibreSSL 3.1.0\x00OpenSSL 1.0.1g 7 Apr 2014\x00", tmp_path)
    assert {f.name for f in findings} == {"libressl"}


def test_busybox_udhcp_applet_is_busybox_not_udhcp(tmp_path: Path) -> None:
    findings = scan_bytes(b"BusyBox v1.30.1 ()\x00udhcpc (v1.30.1) started\x00", tmp_path)
    assert {f.name for f in findings} == {"busybox"}


def test_incomplete_rule_file_is_refused() -> None:
    with pytest.raises(SignatureError, match="lacks meta"):
        RuleSet(HERE / "bad_rules")


def test_signatures_test_command_passes() -> None:
    failures, total = run_selftest()
    assert failures == [] and total > 250


def test_signatures_test_command_reports_a_wrong_version(tmp_path: Path) -> None:
    bad = tmp_path / "banners.tsv"
    bad.write_text("BusyBox v1.01 (2015)\tbusybox\tbusybox\t1.1\n")
    failures, _ = run_selftest(banners=bad)
    assert any("expected 1.1" in f for f in failures)


@pytest.mark.parametrize(
    "snippet", find_snippets(SNIPPETS), ids=lambda s: str(s.path.relative_to(SNIPPETS))
)
def test_real_byte_snippet_is_identified_with_its_version(snippet) -> None:
    assert len(snippet.data) <= 16384
    assert {"source image", "source path", "source sha256", "offset"} <= set(snippet.header)
    assert check_snippet(RULES, snippet) is None


def test_snippets_cover_the_corpus_binary_components() -> None:
    snippets = find_snippets(SNIPPETS)
    assert len(snippets) >= 35
    assert len({s.name for s in snippets}) >= 20


def test_a_tampered_snippet_is_refused(tmp_path: Path) -> None:
    original = find_snippets(SNIPPETS)[0]
    copy = tmp_path / original.path.relative_to(SNIPPETS)
    copy.parent.mkdir(parents=True)
    copy.write_bytes(original.path.read_bytes()[:-1] + b"X")
    with pytest.raises(ValueError, match="sha256"):
        read_snippet(copy, tmp_path)
