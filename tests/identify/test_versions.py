"""Versions are kept as written; only build noise and package revisions are trimmed."""

import pytest

from fwaudit.identify.versions import clean_version, upstream_version


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1.32.0.git", "1.32.0"),
        ("7.59.0-DEV", "7.59.0"),
        ("4.4.7-dirty", "4.4.7"),
        ("1.01", "1.01"),
        ("1.00", "1.00"),
        ("0.9.8g", "0.9.8g"),
        ("2019.78", "2019.78"),
        ("0.5.9", "0.5.9"),
        ("2.4.7.git", "2.4.7"),
        ("1.2.", "1.2"),
        ("", None),
        (None, None),
    ],
)
def test_clean_version_keeps_leading_zeros_and_letters(raw, clean) -> None:
    assert clean_version(raw) == clean


@pytest.mark.parametrize(
    ("package", "upstream"),
    [
        ("1.30.1-5", "1.30.1"),
        ("1:1.35.0-4+deb12u1+b1", "1.35.0"),
        ("2019.78-2", "2019.78"),
        ("4.14.162-1-9b3f4da08295392b7d7eca715b1ee0b8", "4.14.162"),
        ("3.0.20-1~deb12u2", "3.0.20"),
        ("1.1.24-2", "1.1.24"),
    ],
)
def test_upstream_version_drops_epoch_and_revision(package, upstream) -> None:
    assert upstream_version(package) == upstream
