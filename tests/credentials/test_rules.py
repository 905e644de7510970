"""The credential data: every text rule finds its fixtures and nothing in its negatives;
account files tell locked, empty and hashed apart; crypt recomputation matches the
libraries' own test vectors; the data files are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit.credentials import crypt, find_credentials
from fwaudit.credentials.secrets import defaults, fingerprint, parse_defaults
from fwaudit.credentials.text import parse_table, table
from fwaudit.errors import SignatureError
from fwaudit.inventory import Inventory
from fwaudit.model import CredentialKind, FileEntry

SCRIPT = "etc/init.d/rcS"
MUSL_KEY = b"Xy01@#\x01\x02\x80\x7f\xff\r\n\x81\t !"


def _inventory(root: Path, files: dict[str, bytes], kind: str = "text") -> Inventory:
    entries = []
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entries.append(FileEntry(path, len(data), f"sha-{path}", kind))
    return Inventory(tuple(sorted(entries)), root, root / "image.bin")


def _found(tmp_path: Path, files: dict[str, bytes], kind: str = "text"):
    credentials, problems = find_credentials(_inventory(tmp_path, files, kind))
    assert problems == ()
    return credentials


def _fixtures():
    for rule in table().rules:
        for index, fixture in enumerate(rule.fixtures):
            yield pytest.param(rule.id, fixture, id=f"{rule.id}-{index}")


def _negatives():
    for rule in table().rules:
        for index, negative in enumerate(rule.negatives):
            yield pytest.param(rule.id, negative, id=f"{rule.id}-not-{index}")


@pytest.mark.parametrize(("rule", "fixture"), list(_fixtures()))
def test_each_rule_finds_its_fixture(tmp_path: Path, rule: str, fixture: dict) -> None:
    path = fixture.get("path", SCRIPT)
    found = _found(tmp_path, {path: fixture["text"].encode() + b"\n"})
    mine = [c for c in found if c.evidence[0].method == f"credential-rule:{rule}"]
    assert len(mine) == 1, found
    (credential,) = mine
    assert credential.account == fixture["account"]
    assert credential.path == path and credential.evidence[0].offset is not None
    if credential.kind is CredentialKind.NO_AUTHENTICATION:
        return
    secret = str(fixture["secret"])
    assert credential.fingerprint == fingerprint(secret)
    if credential.shown is None:  # not a well-known default: the secret is nowhere in it
        assert secret not in repr(credential)


@pytest.mark.parametrize(("rule", "negative"), list(_negatives()))
def test_no_rule_fires_on_its_negatives(tmp_path: Path, rule: str, negative: object) -> None:
    text, path = (
        (negative["text"], negative["path"])
        if isinstance(negative, dict)
        else (
            negative,
            SCRIPT,
        )
    )
    assert _found(tmp_path, {path: str(text).encode() + b"\n"}) == ()


def test_labels_formats_and_placeholders_are_no_credentials(tmp_path: Path) -> None:
    files = {
        "www/lang/en.js": b't_pwd : "Password:",\nstr_menu.sysPassword = "Password";\n',
        "etc/strings.conf": b"login_prompt=Password:\nadmin_password=%s\nroot_pwd=<password>\n",
        "bin/wifi_start.sh": b'#!/bin/sh\npasswd=""\npasswd=`nvram get passwd`\n',
        "etc/nsswitch.conf": b"passwd: files\nshadow: files\n",
        "etc/config/network": b"set network.wan.username='username'\n"
        b"set network.wan.password='password'\n",
        "usr/sbin/setpw.sh": b'#!/bin/sh\necho "$1:$2" | chpasswd\necho -e "$P\\n$P" | passwd\n',
    }
    assert _found(tmp_path, files) == ()


def test_format_strings_and_ui_labels_in_programs_are_no_credentials(tmp_path: Path) -> None:
    program = (
        b"\x7fELF" + bytes(60) + b"Password:\x00admin=%s&password=%s\x00"
        b"Please input a password\x00root\x00system\x00radio\x00bluetooth\x00"
        b"login: %s password: %s\x00"
    )
    assert _found(tmp_path, {"usr/bin/app": program}, kind="data") == ()


def test_a_well_known_pair_and_a_hash_in_a_program(tmp_path: Path) -> None:
    hashed = crypt.recompute("s3cret-unit", "$1$abcdefgh$" + "x" * 22)
    assert hashed
    program = (
        b"\x00\x000.0.0.0\x00\x00admin\x00\x00\x00admin\x00192.168.0.100\x00"
        + b"root:"
        + hashed.encode()
        + b"\x00"
        + b"$1$abcd0123$9Qcg8DyviekV3tDGMZynJ1\x00Xy01@#\x00"  # musl's self-test
    )
    found = _found(tmp_path, {"usr/bin/httpd": program}, kind="data")
    pair, hashed_found = sorted(found, key=lambda c: c.kind.value)
    assert pair.kind is CredentialKind.PASSWORD and pair.account == "admin"
    assert pair.shown == "admin" and "Mirai" in (pair.known or "")
    assert pair.evidence[0].method == "binary-pair" and pair.evidence[0].offset == 11
    assert hashed_found.kind is CredentialKind.PASSWORD_HASH and hashed_found.account == "root"
    assert hashed_found.origin == "program" and hashed_found.shown is None
    assert hashed not in repr(hashed_found) and "$1$abcdefgh$" in hashed_found.evidence[0].matched


def test_account_files_tell_locked_empty_and_hashed_apart(tmp_path: Path) -> None:
    xm = "$1$RYIwEiRA$d5iRRVQ5ZeRTrJwGjRy.B0"
    own = crypt.recompute("unit-secret-42", "$6$saltsalt$" + "x" * 86)
    files = {
        "etc/passwd": f"root:{xm}:0:0:root:/:/bin/sh\nftp:x:55:55::/:/bin/false\n"
        "daemon:x:1:1::/:/bin/sh\nadmin:x:1000:1000::/:/bin/sh\n".encode(),
        "etc/shadow": f"root::1:0:99999:7:::\nftp:{own}:1:0:99999:7:::\n"
        "daemon:*:1:0:99999:7:::\nadmin:!:1:0:99999:7:::\n".encode(),
        "etc/shadow-": f"root:{own}:1:0:99999:7:::\n".encode(),
    }
    found = {(c.path, c.account): c for c in _found(tmp_path, files)}
    root = found["etc/passwd", "root"]
    assert root.kind is CredentialKind.PASSWORD_HASH and root.in_effect and root.login
    assert root.algorithm == "md5-crypt" and root.shown == "xmhdipc"
    assert "root/xmhdipc" in (root.known or "")
    shadowed = found["etc/shadow", "root"]
    assert shadowed.kind is CredentialKind.EMPTY and shadowed.in_effect is False
    ftp = found["etc/shadow", "ftp"]
    assert ftp.kind is CredentialKind.PASSWORD_HASH and ftp.login is False and ftp.in_effect
    assert ftp.shown is None and own not in repr(ftp) and "$6$saltsalt$" in ftp.evidence[0].matched
    assert found["etc/shadow", "daemon"].kind is CredentialKind.LOCKED
    assert found["etc/shadow", "admin"].kind is CredentialKind.LOCKED
    backup = found["etc/shadow-", "root"]
    assert backup.in_effect is False and backup.fingerprint == ftp.fingerprint
    assert ("etc/passwd", "ftp") not in found  # x: the shadow entry decides


def test_locked_accounts_only(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\nnobody:*:65534:65534::/:/bin/false\n",
            "etc/shadow": b"root:*:0:0:99999:7:::\nnobody:!!:0:0:99999:7:::\n",
        },
    )
    assert {c.kind for c in found} == {CredentialKind.LOCKED}
    assert {c.account for c in found} == {"root", "nobody"}


def test_a_telnet_password_read_from_a_file_of_the_image(tmp_path: Path) -> None:
    files = {
        "fs_extract/etc/init0.d/S80telnetd.sh": b"#!/bin/sh\n"
        b"image_sign=`cat /etc/config/image_sign`\n"
        b"telnetd -l /usr/sbin/login -u Alphanetworks:$image_sign -i br0 &\n",
        "fs_extract/etc/config/image_sign": b"wrgn80_trendnet_tew733gr\n",
    }
    (found,) = _found(tmp_path, files)
    assert found.account == "Alphanetworks" and found.service == "telnet"
    assert found.fingerprint == fingerprint("wrgn80_trendnet_tew733gr")
    assert [e.path for e in found.evidence] == sorted(files, reverse=True)
    assert "wrgn80" not in repr(found) and "image_sign" in found.note


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("$1$abcd0123$", "$1$abcd0123$9Qcg8DyviekV3tDGMZynJ1"),
        (
            "$5$rounds=1234$abc0123456789$",
            "$5$rounds=1234$abc0123456789$3VfDjPt05VHFn47C/ojFZ6KRPYrOjj1lLbH.dkF3bZ6",
        ),
        (
            "$6$rounds=1234$abc0123456789$",
            "$6$rounds=1234$abc0123456789$BCpt8zLrc/RcyuXmCDOE1ALqMXB2MH6n1g891HhFj8.w7LxGv."
            "FTkqq6Vxc/km3Y0jE0j24jY5PIv/oOu6reg1",
        ),
    ],
)
def test_crypt_recomputes_musls_self_tests(setting: str, expected: str) -> None:
    if setting.startswith("$1$"):
        assert crypt._md5_crypt(MUSL_KEY, setting, b"$1$") == expected
    else:
        name = "sha256-crypt" if setting.startswith("$5$") else "sha512-crypt"
        assert crypt._sha_crypt(MUSL_KEY, setting, name) == expected
    assert expected in defaults().self_tests


def test_crypt_formats() -> None:
    assert crypt.algorithm("$1$GTN.gpri$DlSyKvZKMR9A9Uj9e9wR3/") == "md5-crypt"
    assert crypt.algorithm("abJnggxhB/yWI") == "des-crypt"
    assert crypt.algorithm("Password:") is None
    assert crypt.recompute("xmhdipc", "$1$RYIwEiRA$d5iRRVQ5ZeRTrJwGjRy.B0") == (
        "$1$RYIwEiRA$d5iRRVQ5ZeRTrJwGjRy.B0"
    )


def test_malformed_data_is_refused() -> None:
    with pytest.raises(SignatureError):
        parse_table({"rules": [{"id": "a", "kind": "password", "origin": "script"}]}, "t")
    with pytest.raises(SignatureError):
        parse_table(
            {"rules": [{"id": "a", "kind": "nope", "origin": "script", "fixtures": [1]}]}, "t"
        )
    with pytest.raises(SignatureError):
        parse_defaults({"well_known": {"x": {"name": "x", "pairs": [["a", "b"]]}}}, "t")
