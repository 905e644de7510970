"""The law as of a date: dated list entries, categories and instruments, `--as-of` through
policies, the SBOM, diff and batch keys, tested on the days around every transition of the
2025-2026 instruments (the day before, of and after)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from fwaudit import __version__
from fwaudit.batch.worker import Settings
from fwaudit.cli import main
from fwaudit.compare import diff
from fwaudit.errors import ConfigError
from fwaudit.jurisdiction import dates as d
from fwaudit.jurisdiction import judge, load_policy, reassess
from fwaudit.jurisdiction.data import check, load
from fwaudit.model import (
    Attribution,
    AuditData,
    DeviceClass,
    Evidence,
    Image,
    Outcome,
    Party,
    Technique,
    UnpackOutcome,
)
from fwaudit.sbom import to_json
from fwaudit.sbom_read import sbom_to_data

from ..conftest import REPO, corpus_dir

DATA = REPO / "signatures" / "jurisdiction"
WR841N = corpus_dir() / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"


def day(text: str) -> date:
    return date.fromisoformat(text)


def around(text: str) -> tuple[date, date, date]:
    """The day before, the day of and the day after a transition."""
    of = day(text)
    return of - timedelta(days=1), of, of + timedelta(days=1)


@pytest.fixture(scope="module")
def data():
    return load()


# -- the date arithmetic ------------------------------------------------------------------


def test_partial_dates_mean_their_first_day() -> None:
    assert d.parse_date("2021-03") == date(2021, 3, 1)
    assert d.parse_date("2025") == date(2025, 1, 1)
    assert d.parse_date(date(2025, 12, 22)) == date(2025, 12, 22)
    with pytest.raises(ValueError):
        d.parse_date("22 Dec 2025")


def test_an_undated_entry_holds_on_every_day() -> None:
    assert d.holds({"org": "x"}, date(1990, 1, 1))
    assert d.transitions({"org": "x"}) == []


def test_a_bad_as_of_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        d.resolve_as_of("1 March 2027")
    assert d.resolve_as_of(None) == d.today()
    assert d.resolve_as_of("2026-06-01") == date(2026, 6, 1)


# -- every transition of the new entries, in the shipped data ---------------------------


def lists_of(data, org: str, on: date) -> set[str]:
    return {list_id for list_id, _, _ in data.listings(org, on)}


@pytest.mark.parametrize("org", ["quectel", "autel", "tencent", "sensetime"])
def test_dod_1260h_of_7_jan_2025_adds(data, org: str) -> None:
    before, of, after = around("2025-01-07")
    assert "us-dod-1260h" not in lists_of(data, org, before)
    assert "us-dod-1260h" in lists_of(data, org, of)
    assert "us-dod-1260h" in lists_of(data, org, after)


def test_dod_1260h_of_7_jan_2025_removes_megvii_and_keeps_dji(data) -> None:
    before, of, after = around("2025-01-07")
    assert "us-dod-1260h" in lists_of(data, "megvii", before)
    assert "us-dod-1260h" not in lists_of(data, "megvii", of)
    assert "us-dod-1260h" not in lists_of(data, "megvii", after)
    assert all("us-dod-1260h" in lists_of(data, "dji", x) for x in (before, of, after))


def test_dod_1260h_of_8_jun_2026_adds_tp_link(data) -> None:
    before, of, after = around("2026-06-08")
    assert "us-dod-1260h" not in lists_of(data, "tp-link", before)
    assert "us-dod-1260h" in lists_of(data, "tp-link", of)
    assert "us-dod-1260h" in lists_of(data, "tp-link", after)
    assert "us-dod-1260h" not in lists_of(data, "tp-link-systems", after)  # a separate company


@pytest.mark.parametrize("org", ["dji", "autel"])
def test_fcc_covered_list_names_dji_and_autel_from_22_dec_2025(data, org: str) -> None:
    before, of, after = around("2025-12-22")
    assert "us-fcc-covered" not in lists_of(data, org, before)
    assert "us-fcc-covered" in lists_of(data, org, of)
    assert "us-fcc-covered" in lists_of(data, org, after)


@pytest.mark.parametrize(
    ("ref", "starts"),
    [
        ("us-fcc-covered/foreign-produced-uas", "2025-12-22"),
        ("us-fcc-covered/foreign-produced-routers", "2026-03-23"),
    ],
)
def test_categories_hold_from_their_effective_day(data, ref: str, starts: str) -> None:
    before, of, after = around(starts)
    entry = data.category(ref)
    assert [d.holds(entry, x) for x in (before, of, after)] == [False, True, True]


def test_fcc_25_71_is_in_force_from_26_dec_2025(data) -> None:
    entry = data.instrument("us-fcc-covered/fcc-25-71")
    before, of, after = around("2025-12-26")
    assert [d.holds(entry, x) for x in (before, of, after)] == [False, True, True]
    assert str(entry["adopted"]) == "2025-10-28"
    assert any("govinfo.gov" in s["ref"] for s in entry["sources"])


def test_affiliates_rule_and_its_suspension_window(data) -> None:
    entry = data.instrument("us-entity-list/bis-affiliates-rule")
    expected = {
        "2025-09-28": "not yet in force",
        "2025-09-29": "in force",
        "2025-11-09": "in force",
        "2025-11-10": "suspended",
        "2026-11-09": "suspended",
        "2026-11-10": "in force",
    }
    assert {x: d.status(entry, day(x)) for x in expected} == expected


def test_s805_steps(data) -> None:
    entry = data.instrument("us-dod-1260h/fy2024-ndaa-s805")
    before, of, _ = around("2026-06-30")
    assert not d.holds(entry, before) and d.holds(entry, of)
    ahead = d.deadline_text(entry, day("2027-06-29"))
    passed = d.deadline_text(entry, day("2027-06-30"))
    assert ahead.startswith("From 2027-06-30") and passed.startswith("Since 2027-06-30")


def test_blue_uas_exception_is_open_from_7_jan_2026_until_1_jan_2027(data) -> None:
    entry = data.category("us-fcc-covered/foreign-produced-uas")

    def open_on(text: str) -> set[str]:
        return {e["id"] for e in d.exceptions_open(entry, day(text))}

    assert open_on("2026-01-06") == {"conditional-approval"}
    assert "blue-uas" in open_on("2026-01-07") and "blue-uas" in open_on("2026-12-31")
    assert open_on("2027-01-01") == {"conditional-approval"}


def test_the_router_update_waiver_deadline(data) -> None:
    entry = data.category("us-fcc-covered/foreign-produced-routers")
    before, of, after = around("2027-03-01")
    assert "until 2027-03-01" in d.deadline_text(entry, before)
    assert "ran until 2027-03-01" in d.deadline_text(entry, of)
    assert "ran until 2027-03-01" in d.deadline_text(entry, after)


def test_epochs_group_days_no_transition_separates(data) -> None:
    assert data.epoch(day("2026-04-01")) == data.epoch(day("2026-05-01")) == "2026-03-23"
    assert data.epoch(day("2026-03-22")) != data.epoch(day("2026-03-23"))


def test_batch_key_follows_the_epoch_not_the_day() -> None:
    same = Settings(as_of="2026-04-01").key == Settings(as_of="2026-05-01").key
    assert same
    assert Settings(as_of="2026-03-22").key != Settings(as_of="2026-03-23").key
    assert Settings(as_of="2026-04-01").key != Settings().key


# -- the data check: sourced and dated ---------------------------------------------------


def test_shipped_data_checks_clean_with_dates() -> None:
    assert check() == []


def test_every_category_and_instrument_has_a_url_source_and_a_start(data) -> None:
    for ref, entry in data.dated():
        if "org" in entry:
            continue
        assert d.start(entry), ref
        assert any(s["ref"].startswith("https://") for s in entry["sources"]), ref


def _copy_with(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "jurisdiction"
    shutil.copytree(DATA, folder)
    path = folder / "lists.yaml"
    lists = yaml.safe_load(path.read_text())
    edit(lists)
    path.write_text(yaml.safe_dump(lists))
    return folder


def test_a_new_entry_without_a_url_source_is_refused(tmp_path: Path) -> None:
    def edit(lists):
        lists["us-dod-1260h"]["entries"].append({"org": "zte", "added": "2026-06-08"})

    problems = check(_copy_with(tmp_path, edit))
    assert "lists/us-dod-1260h/zte: added 2026-06-08 but no source URL of its own" in problems


def test_a_category_without_an_effective_day_is_refused(tmp_path: Path) -> None:
    def edit(lists):
        del lists["us-fcc-covered"]["categories"][1]["effective"]

    assert any("effective" in p for p in check(_copy_with(tmp_path, edit)))


def test_a_removal_before_the_listing_is_refused(tmp_path: Path) -> None:
    def edit(lists):
        lists["us-dod-1260h"]["entries"][0]["removed"] = "2020-01-01"

    assert any("removed 2020-01-01 before" in p for p in check(_copy_with(tmp_path, edit)))


def test_data_show_prints_the_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "show", "foreign-produced-routers"]) == 0
    out = capsys.readouterr().out
    assert "effective 2026-03-23" in out and "update-waiver 2027-03-01" in out
    assert main(["data", "show", "Quectel"]) == 0
    assert "on us-dod-1260h (quectel): added 2025-01-07" in capsys.readouterr().out


# -- policies as of a day (constructed attributions) -------------------------------------

CLUE = Evidence("usr/bin/httpd", 4096, "class:wan-config", "pppoe_username", Technique.BINARY, 0.9)


def attribution(maker: Party | None, *classes: str) -> Attribution:
    return Attribution(
        maker,
        0.99 if maker else 0.0,
        (),
        device_classes=tuple(DeviceClass(c, 0.9, (CLUE,)) for c in classes),
    )


def judged(who: Attribution, on: str, policy: str = "us-fcc-covered"):
    return judge(
        who,
        suppliers={},
        geography={},
        components=(),
        endpoints=(),
        policies=[load_policy(policy)],
        dataset=load(),
        as_of=day(on),
    )


def outcome(who: Attribution, on: str) -> tuple[Outcome, list[str]]:
    assessment = judged(who, on)
    return dict(assessment.policies)["us-fcc-covered"], [v.rule for v in assessment.verdicts]


TP_LINK = Party("tp-link", "TP-Link", "CN")


def test_a_tp_link_router_is_in_the_covered_category_from_23_mar_2026() -> None:
    router = attribution(TP_LINK, "router")
    before, of, after = around("2026-03-23")
    assert outcome(router, before.isoformat()) == (Outcome.PASS, ["no-finding"])
    assert outcome(router, of.isoformat()) == (Outcome.FAIL, ["router-covered-category"])
    assert outcome(router, after.isoformat())[0] is Outcome.FAIL
    assert outcome(router, "2025-06-01")[0] is Outcome.PASS
    assert outcome(router, "2026-06-01")[0] is Outcome.FAIL


def test_the_covered_router_verdict_carries_dates_sources_and_evidence() -> None:
    verdict = judged(attribution(TP_LINK, "router"), "2026-06-01").verdicts[0]
    assert "since 2026-03-23" in verdict.rationale
    assert "Conditional Approval" in verdict.rationale
    assert "until 2027-03-01" in verdict.rationale
    assert verdict.rationale.endswith("Judged as of 2026-06-01.")
    refs = {f.ref for f in verdict.facts}
    assert {
        "lists/us-fcc-covered/foreign-produced-routers",
        "organisations/tp-link/production",
        "device-class/router",
    } <= refs
    assert all(any(s.startswith("https://") for s in f.sources) for f in verdict.facts[-2:])
    assert CLUE in verdict.evidence


def test_the_update_waiver_wording_changes_on_1_mar_2027() -> None:
    router = attribution(TP_LINK, "router")
    texts = [judged(router, x.isoformat()).verdicts[0].rationale for x in around("2027-03-01")]
    assert "may still receive software and firmware updates" in texts[0]
    assert all("ran until 2027-03-01" in t for t in texts[1:])
    assert all(outcome(router, x.isoformat())[0] is Outcome.FAIL for x in around("2027-03-01"))


def test_a_us_company_producing_in_vietnam_is_foreign_produced() -> None:
    router = attribution(Party("tp-link-systems", "TP-Link Systems", "US"), "router")
    assert outcome(router, "2026-06-01") == (Outcome.FAIL, ["router-covered-category"])


def test_a_maker_whose_production_no_source_gives_is_reviewed_and_says_so() -> None:
    router = attribution(Party("trendnet", "TRENDnet", "US"), "router")
    assert outcome(router, "2026-03-22")[0] is Outcome.PASS
    result, rules = outcome(router, "2026-03-23")
    assert (result, rules) == (Outcome.REVIEW, ["router-production-unknown"])
    text = judged(router, "2026-06-01").verdicts[0].rationale
    assert "no source in the data says where its maker TRENDnet (US)" in text


def test_a_us_maker_with_contract_manufacturing_abroad_is_foreign_produced() -> None:
    router = attribution(Party("netgear", "NETGEAR", "US"), "router")
    assert outcome(router, "2026-06-01") == (Outcome.FAIL, ["router-covered-category"])
    assert (
        "NETGEAR produces in CN, VN, ID, TH" in judged(router, "2026-06-01").verdicts[0].rationale
    )


def test_a_router_that_names_no_maker_says_production_is_unknown() -> None:
    router = attribution(None, "router")
    assert outcome(router, "2026-03-22") == (Outcome.INCONCLUSIVE, ["maker-not-identified"])
    result, rules = outcome(router, "2026-06-01")
    assert (result, rules) == (Outcome.REVIEW, ["router-production-unknown"])
    assert "names no maker" in judged(router, "2026-06-01").verdicts[0].rationale


def test_a_camera_is_not_a_router() -> None:
    assert outcome(attribution(TP_LINK, "camera"), "2026-06-01")[0] is Outcome.PASS


def test_a_dji_drone_from_22_dec_2025() -> None:
    drone = attribution(Party("dji", "DJI", "CN"), "drone")
    before, of, after = around("2025-12-22")
    assert outcome(drone, before.isoformat())[0] is Outcome.PASS
    for x in (of, after):
        result, rules = outcome(drone, x.isoformat())
        assert result is Outcome.FAIL
        assert set(rules) == {"maker-covered", "drone-covered-category"}


def test_blue_uas_exception_named_while_it_is_open() -> None:
    drone = attribution(Party("autel", "Autel", "CN"), "drone")

    def text(on: str) -> str:
        found = judged(drone, on).verdicts
        return next(v.rationale for v in found if v.rule == "drone-covered-category")

    assert "Blue UAS" not in text("2026-01-06")
    assert "Blue UAS" in text("2026-01-07")
    assert "Blue UAS" not in text("2027-01-01")


def test_a_drone_of_unknown_production_is_reviewed() -> None:
    drone = attribution(Party(None, "SkyAcme", None), "drone")
    result, rules = outcome(drone, "2026-01-01")
    assert result is Outcome.REVIEW and "drone-production-unknown" in rules


# -- the SBOM, reassess and diff ---------------------------------------------------------


def audit_data(who: Attribution, on: str) -> AuditData:
    image = Image(Path("/fw/router.bin"), "ab" * 32, 4096)
    unpack = UnpackOutcome(Path("/tree"), "fake", "fake 1", nodes=(), problems=(), seconds=0.0)
    return AuditData(image, unpack, __version__, assessment=judged(who, on))


def test_the_sbom_records_the_day_and_reads_it_back() -> None:
    data = audit_data(attribution(TP_LINK, "router"), "2026-06-01")
    document = json.loads(to_json(data))
    props = {p["name"]: p["value"] for p in document["metadata"]["component"]["properties"]}
    assert props["fwaudit:jurisdiction:as-of"] == "2026-06-01"
    back = sbom_to_data(document)
    assert back.assessment.as_of == "2026-06-01"
    assert dict(back.assessment.policies)["us-fcc-covered"] is Outcome.FAIL


def test_reassess_rejudges_a_saved_result_for_another_day() -> None:
    data = audit_data(attribution(TP_LINK, "router"), "2026-06-01")
    earlier = reassess(data, as_of="2025-06-01")
    assert earlier.assessment.as_of == "2025-06-01"
    assert dict(earlier.assessment.policies)["us-fcc-covered"] is Outcome.PASS
    assert earlier.assessment.attribution == data.assessment.attribution


def test_diff_of_one_image_at_two_dates() -> None:
    data = audit_data(attribution(TP_LINK, "router"), "2026-06-01")
    changes = diff(data, data, as_of=("2026-01-01", "2026-06-01"))
    assert (changes.old_as_of, changes.new_as_of) == ("2026-01-01", "2026-06-01")
    assert changes.policies_changed == (("us-fcc-covered", "pass", "fail"),)
    assert changes.outcomes_changed == (
        "us-fcc-covered: passes as of 2026-01-01, covered category (foreign-produced consumer "
        "router) as of 2026-06-01",
    )
    assert "judged as of 2026-01-01 -> 2026-06-01" in str(changes)
    assert diff(data, data).empty


def test_scan_refuses_a_malformed_as_of(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = str(tmp_path / "out.cdx.json")
    assert main(["scan", "no-such.bin", "-o", out, "--as-of", "2026-13-01"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


# -- the corpus ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wr841n(tmp_path_factory: pytest.TempPathFactory):
    from fwaudit.api import Auditor

    if not WR841N.is_file():
        pytest.skip(f"corpus not found at {WR841N.parent} (set FWAUDIT_CORPUS)")
    auditor = Auditor(cache_dir=tmp_path_factory.mktemp("cache"), policies=["us-fcc-covered"])
    return auditor.audit_data(WR841N)


@pytest.mark.corpus
def test_wr841n_is_the_covered_router_category_as_of_2026_06_01_not_2025_06_01(wr841n) -> None:
    """TP-Link's WR841N, classed a router from its own evidence, its maker TP-Link (CN) from
    its vendor header: in the covered category from 23 Mar 2026, not before."""
    who = wr841n.assessment.attribution
    assert "router" in [c.name for c in who.device_classes]
    assert who.maker is not None and who.maker.org == "tp-link"
    on = {x: reassess(wr841n, as_of=x).assessment for x in
          ("2025-06-01", "2026-03-22", "2026-03-23", "2026-06-01")}  # fmt: skip
    outcomes = {x: dict(a.policies)["us-fcc-covered"] for x, a in on.items()}
    assert outcomes == {
        "2025-06-01": Outcome.PASS,
        "2026-03-22": Outcome.PASS,
        "2026-03-23": Outcome.FAIL,
        "2026-06-01": Outcome.FAIL,
    }
    assert [v.rule for v in on["2026-06-01"].verdicts] == ["router-covered-category"]
    assert any(e.path.endswith("usr/bin/httpd") for e in on["2026-06-01"].verdicts[0].evidence)


@pytest.mark.corpus
def test_wr841n_audited_as_of_a_day_records_it(wr841n, tmp_path: Path) -> None:
    assert wr841n.assessment.as_of == d.today().isoformat()
    out = tmp_path / "wr.cdx.json"
    assert main(["scan", str(WR841N), "-o", str(out), "--as-of", "2025-06-01",
                 "--policy", "us-fcc-covered"]) == 0  # fmt: skip
    back = sbom_to_data(json.loads(out.read_text())).assessment
    assert back.as_of == "2025-06-01"
    assert dict(back.policies)["us-fcc-covered"] is Outcome.PASS


def test_an_instrument_condition_holds_from_its_effective_day() -> None:
    """FCC 25-71 as a rule's condition (the module rule's way of dating itself)."""
    from fwaudit.jurisdiction.policy import parse_policy

    policy = parse_policy(
        {
            "id": "modules-25-71",
            "rules": [
                {
                    "id": "host-of-covered-module",
                    "subject": "device",
                    "when": {"instrument": "us-fcc-covered/fcc-25-71"},
                    "outcome": "review",
                    "rationale": "{instrument} in force since {instrument_since}.",
                }
            ],
        },
        "test",
    )

    def verdicts(on: date):
        who = attribution(TP_LINK, "router")
        return judge(
            who,
            suppliers={},
            geography={},
            components=(),
            endpoints=(),
            policies=[policy],
            dataset=load(),
            as_of=on,
        ).verdicts

    before, of, after = around("2025-12-26")
    assert [v.rule for v in verdicts(before)] == ["no-finding"]
    for x in (of, after):
        (found,) = verdicts(x)
        assert found.rule == "host-of-covered-module"
        assert "in force since 2025-12-26" in found.rationale
        assert "lists/us-fcc-covered/fcc-25-71" in {f.ref for f in found.facts}


def test_an_unknown_category_or_instrument_is_a_config_error() -> None:
    from fwaudit.jurisdiction.policy import parse_policy

    for condition in ("category", "instrument"):
        policy = parse_policy(
            {
                "id": "typo",
                "rules": [
                    {
                        "id": "r",
                        "subject": "device",
                        "when": {condition: "us-fcc-covered/no-such"},
                        "outcome": "fail",
                    }
                ],
            },
            "test",
        )
        with pytest.raises(ConfigError, match="no-such"):
            judge(
                attribution(TP_LINK),
                suppliers={},
                geography={},
                components=(),
                endpoints=(),
                policies=[policy],
                dataset=load(),
                as_of=date(2026, 6, 1),
            )
