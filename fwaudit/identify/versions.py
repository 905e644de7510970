"""Version text as found, with only build noise trimmed; leading zeros and letters stay."""

from __future__ import annotations

import re

# Suffixes that name a build, not a release: "1.32.0.git", "7.59.0-DEV", "4.4.7-dirty".
BUILD_SUFFIX = re.compile(r"(?:[.+-](?:git|dev|dirty|svn|cvs|dfsg|ds|repack)\w*)+$", re.IGNORECASE)
# Distribution revisions in package managers: "1.30.1-5", "2019.78-2", "1:1.35.0-4+deb12u1".
EPOCH = re.compile(r"^\d+:")
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}(?:-|$)")


def clean_version(text: str | None) -> str | None:
    """Trim build suffixes and trailing dots from a captured version; None stays None."""
    if not text:
        return None
    version = BUILD_SUFFIX.sub("", text.strip()).rstrip(".")
    return version or None


def upstream_version(package_version: str) -> str:
    """A package manager's version without epoch and distribution revision."""
    version = EPOCH.sub("", package_version.strip())
    if DATED.match(version):  # OpenWrt snapshots: 2019-12-27-041c9d1c-1 -> 2019-12-27-041c9d1c
        return re.sub(r"-\d+$", "", version)
    return version.split("-")[0].split("+")[0].split("~")[0]
