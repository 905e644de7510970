"""UK PSTI (uk-psti-2024) on generated images and the corpus: a fixed root password hash and
a hard-coded credential fail with their evidence, locked accounts and look-alikes do not;
credentials travel through the SBOM, the result file, the tables and the report without the
secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwaudit import AuditResult
from fwaudit.api import Auditor
from fwaudit.credentials import crypt
from fwaudit.credentials.secrets import fingerprint
from fwaudit.model import AuditData, CredentialKind, Outcome
from fwaudit.report import render_html
from fwaudit.results import result_from_json, result_to_json
from fwaudit.sbom import to_json
from fwaudit.sbom_read import sbom_to_data
from tests.archives import tar_gz

POLICY = "uk-psti-2024"
ROOT_PASSWORD = "unit-7Hq2-shared"
ROOT_HASH = crypt.recompute(ROOT_PASSWORD, "$6$Fw4udIt9$" + "x" * 86) or ""
SCRIPT_PASSWORD = "Cam3ra!2024"
BUSYBOX = b"\x7fELF\x01\x01\x01" + bytes(57) + b"BusyBox v1.31.1 (2020-01-01 00:00:00 UTC)\x00"


def _tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    return tar_gz(path, files, mode=_mode)


def _mode(name: str) -> int:
    return 0o755 if name.startswith(("etc/init.d", "bin/")) else 0o644


@pytest.fixture(scope="module")
def auditor(tmp_path_factory: pytest.TempPathFactory) -> Auditor:
    return Auditor(cache_dir=tmp_path_factory.mktemp("cache"), policies=[POLICY])


@pytest.fixture(scope="module")
def defaulted(auditor: Auditor, tmp_path_factory: pytest.TempPathFactory) -> AuditData:
    """A camera image with one fixed root hash and a password set by an init script."""
    folder = tmp_path_factory.mktemp("fw")
    image = _tar_gz(
        folder / "cam.tar.gz",
        {
            "bin/busybox": BUSYBOX,
            "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n"
            b"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n",
            "etc/shadow": f"root:{ROOT_HASH}:19000:0:99999:7:::\n".encode()
            + b"daemon:*:19000:0:99999:7:::\n",
            "etc/init.d/rcS": b"#!/bin/sh\nmount -t proc proc /proc\n"
            + f"echo admin:{SCRIPT_PASSWORD} | chpasswd\n".encode()
            + b"/usr/sbin/httpd -p 80 &\n",
        },
    )
    return auditor.audit_data(image)


def test_a_fixed_root_hash_and_a_script_password_fail_with_their_evidence(
    defaulted: AuditData,
) -> None:
    assert dict(defaulted.assessment.policies)[POLICY] is Outcome.FAIL
    verdicts = {v.rule: v for v in defaulted.assessment.verdicts if v.policy == POLICY}
    assert set(verdicts) == {"fixed-password-hash", "hard-coded-credential"}

    root = verdicts["fixed-password-hash"]
    assert root.subject_kind == "credential" and root.subject == "root (etc/shadow)"
    assert "sha512-crypt hash" in root.rationale and fingerprint(ROOT_HASH) in root.rationale
    (evidence,) = root.evidence
    assert evidence.path.endswith("etc/shadow") and evidence.offset == 0
    assert evidence.method == "account-file:shadow"
    assert evidence.matched.startswith("root:$6$Fw4udIt9$…[sha512-crypt ")
    refs = {f.ref for f in root.facts}
    assert {
        "lists/uk-psti-2024",
        "lists/uk-psti-2024/security-requirements-regulations-2023",
    } <= refs
    assert any("legislation.gov.uk" in s for f in root.facts for s in f.sources)

    script = verdicts["hard-coded-credential"]
    assert script.subject == "admin (etc/init.d/rcS)"
    (evidence,) = script.evidence
    assert evidence.path.endswith("etc/init.d/rcS") and evidence.method.endswith("chpasswd-echo")
    assert evidence.offset == len(b"#!/bin/sh\nmount -t proc proc /proc\n")
    assert "| chpasswd" in evidence.matched

    daemon = next(c for c in defaulted.credentials if c.account == "daemon")
    assert daemon.kind is CredentialKind.LOCKED


def test_no_output_carries_the_secrets(defaulted: AuditData) -> None:
    sbom = to_json(defaulted)
    texts = [sbom, result_to_json(defaulted), render_html(defaulted, plots=False)]
    for text in texts:
        for secret in (ROOT_HASH, ROOT_PASSWORD, SCRIPT_PASSWORD):
            assert secret not in text
    back = sbom_to_data(json.loads(sbom))
    assert back.credentials == defaulted.credentials
    assert result_from_json(result_to_json(defaulted)).credentials == defaulted.credentials
    table = AuditResult(defaulted).credentials
    root = table.query("account == 'root'").iloc[0]
    assert root["kind"] == "password-hash" and root["algorithm"] == "sha512-crypt"
    assert root["fingerprint"] == fingerprint(ROOT_HASH) and root["path"].endswith("etc/shadow")


def test_before_the_regulations_were_in_force_no_rule_holds(
    defaulted: AuditData,
) -> None:
    from fwaudit.jurisdiction import reassess

    before = reassess(defaulted, as_of="2024-04-28", policies=[POLICY])
    after = reassess(defaulted, as_of="2024-04-29", policies=[POLICY])
    assert dict(before.assessment.policies)[POLICY] is Outcome.PASS
    assert dict(after.assessment.policies)[POLICY] is Outcome.FAIL


def test_locked_accounts_and_look_alikes_pass(auditor: Auditor, tmp_path: Path) -> None:
    image = _tar_gz(
        tmp_path / "locked.tar.gz",
        {
            "bin/busybox": BUSYBOX,
            "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
            "etc/shadow": b"root:*:19000:0:99999:7:::\nnobody:!:19000:0:99999:7:::\n",
            "etc/init.d/rcS": b"#!/bin/sh\n# echo root:test | chpasswd\n"
            b'echo "$USER:$PASS" | chpasswd\ntelnetd -l /bin/login\n',
            "www/login.html": b'<label>Password:</label><input name="password" value="">\n',
            "etc/strings.conf": b"login_prompt=Password:\nadmin_password=%s\n",
            "usr/bin/cgi": b"\x7fELF" + bytes(60) + b"user=%s&password=%s\x00Password:\x00",
        },
    )
    found = auditor.audit_data(image)
    assert {c.kind for c in found.credentials} == {CredentialKind.LOCKED}
    assert dict(found.assessment.policies)[POLICY] is Outcome.PASS
    (verdict,) = found.assessment.verdicts
    assert "2 account entries (all locked)" in verdict.rationale


def test_a_shell_without_login_fails(auditor: Auditor, tmp_path: Path) -> None:
    image = _tar_gz(
        tmp_path / "telnet.tar.gz",
        {
            "bin/busybox": BUSYBOX,
            "etc/init.d/S50telnet": b"#!/bin/sh\ntelnetd -p 23 -l /bin/sh &\n",
        },
    )
    found = auditor.audit_data(image)
    (verdict,) = [v for v in found.assessment.verdicts if v.outcome is Outcome.FAIL]
    assert verdict.rule == "no-authentication" and "telnet" in verdict.rationale
    assert verdict.evidence[0].offset == len(b"#!/bin/sh\n")


# --- the corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_auditor(session_cache: Path) -> Auditor:
    return Auditor(cache_dir=session_cache, policies=[POLICY])


@pytest.mark.corpus
def test_corpus_images_and_their_known_credentials(corpus: Path, corpus_auditor: Auditor) -> None:
    def audit(name: str) -> tuple[AuditData, dict[str, list]]:
        data = corpus_auditor.audit_data(corpus / name)
        rules: dict[str, list] = {}
        for v in data.assessment.verdicts:
            rules.setdefault(v.rule, []).append(v)
        return data, rules

    # Xiongmai's root password, the one Mirai tried in 2016, in /etc/passwd (and a backup)
    xm, rules = audit("xm_gm8135s_romfs-x.cramfs.img")
    root = next(c for c in xm.credentials if c.path.endswith("etc/passwd"))
    assert root.shown == "xmhdipc" and root.algorithm == "md5-crypt" and root.in_effect
    backup = next(c for c in xm.credentials if c.path.endswith("etc/passwd-"))
    assert backup.shown == "xmhdipc" and backup.in_effect is False
    shadowed = next(
        c for c in xm.credentials if c.path.endswith("etc/shadow") and c.account == "root"
    )
    assert shadowed.kind is CredentialKind.EMPTY and shadowed.in_effect is False
    assert [v.subject for v in rules["fixed-password-hash"]] == ["root (etc/passwd)"]
    assert set(rules) == {"fixed-password-hash"}

    # TP-Link WR841N: a fixed root hash (not a published one: only fingerprinted), and the
    # web UI's admin/admin default as two adjacent strings in httpd (reviewed)
    wr, rules = audit("tplink_wr841nv10_en_3_16_9_up_boot_150310.bin")
    (root,) = [v.subject for v in rules["fixed-password-hash"]]
    assert root == "root (etc/shadow)"
    hashed = next(c for c in wr.credentials if c.account == "root")
    assert hashed.shown is None and hashed.fingerprint == fingerprint(
        "$1$GTN.gpri$DlSyKvZKMR9A9Uj9e9wR3/"
    )
    (pair,) = rules["possible-hard-coded-credential"]
    assert pair.subject == "admin (usr/bin/httpd)" and pair.outcome is Outcome.REVIEW

    # TRENDnet TEW-733GR: Alpha Networks' telnet account, its password the image signature
    tew, rules = audit("binwalk2_firmware.squashfs")
    (telnet,) = rules["hard-coded-credential"]
    assert telnet.subject == "Alphanetworks (etc/init0.d/S80telnetd.sh)"
    found = tew.credentials[0]
    assert found.fingerprint == fingerprint("wrgn80_trendnet_tew733gr")
    assert [e.path.rsplit("_extract/", 1)[-1] for e in found.evidence] == [
        "etc/init0.d/S80telnetd.sh",
        "etc/config/image_sign",
    ]

    # OpenWrt 19.07 ships root with an empty password
    _, rules = audit("ofrak_bcm53xx-generic-carved.ubi")
    assert [v.subject for v in rules["empty-password"]] == ["root (etc/shadow)"]

    # images that set no credential pass (the camera apps) or stay inconclusive (RTOS blobs)
    for name in ("yi1080_bfus_mtdblock3_home.bin", "wyzev3_4.36.8.32_app.squashfs"):
        data, rules = audit(name)
        assert data.credentials == () and set(rules) == {"no-finding"}, name
    data, rules = audit("ofrak_esp32_hello.bin")
    assert set(rules) == {"insufficient-coverage"}


def test_diff_shows_credentials_added_and_removed(defaulted: AuditData) -> None:
    import dataclasses

    import fwaudit

    fixed = dataclasses.replace(
        defaulted, credentials=tuple(c for c in defaulted.credentials if c.account != "root")
    )
    changes = fwaudit.diff(defaulted, fixed)
    assert changes.credentials_removed == (
        f"root (etc/shadow): password-hash sha512-crypt {fingerprint(ROOT_HASH)}",
    )
    assert changes.credentials_added == () and "credentials removed (1)" in str(changes)
    assert ROOT_HASH not in str(changes)


def test_explain_shows_no_bytes_of_a_credential(defaulted: AuditData) -> None:
    from fwaudit.explanation import explain

    verdict = next(v for v in defaulted.assessment.verdicts if v.rule == "fixed-password-hash")
    text = str(explain(defaulted, verdict.id))
    assert "etc/shadow" in text and "not shown" in text
    assert ROOT_HASH not in text and ROOT_HASH[:20].encode().hex(" ") not in text
