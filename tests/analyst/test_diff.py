"""fwaudit diff: components, endpoints and verdicts that changed, on images and SBOMs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fwaudit
from fwaudit.cli import main
from tests.jurisdiction.cameras import CN_CLOUDS, NEUTRAL_CLOUDS, camera_image

WR841N = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
OPENWRT = "ofrak_bcm53xx-generic-carved.ubi"


@pytest.fixture(scope="module")
def cameras(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("cams")
    old = camera_image(folder / "v1.tar.gz", CN_CLOUDS, "cn")
    new = camera_image(folder / "v2.tar.gz", NEUTRAL_CLOUDS, "neutral", rtsp=False)
    return old, new, folder / "cache"


def test_diff_of_two_camera_versions(cameras: tuple[Path, Path, Path]) -> None:
    old, new, cache = cameras
    changes = fwaudit.diff(old, new, cache_dir=cache)
    assert "litedev.hik-connect.com" in changes.endpoints_removed
    assert "0.debian.pool.ntp.org" in changes.endpoints_added
    assert any(c.startswith("live555@") for c in changes.components_removed)
    # the new version names no maker: its maker rules cannot pass it
    assert ("uk-2022-sensitive-sites", "fail", "inconclusive") in changes.policies_changed
    assert any(old == "fail" and new is None for _, old, new in changes.verdicts_changed)
    table = changes.table
    assert set(table.what) == {"component", "endpoint", "policy", "verdict"}
    assert "endpoints removed" in str(changes)
    assert fwaudit.diff(old, old, cache_dir=cache).empty


def test_diff_works_on_saved_sboms_and_from_the_command_line(
    cameras: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, cache = cameras
    for image, name in ((old, "old"), (new, "new")):
        fwaudit.audit(image, cache_dir=cache).to_cyclonedx(tmp_path / f"{name}.cdx.json")
    from_images = fwaudit.diff(old, new, cache_dir=cache)
    from_sboms = fwaudit.diff(tmp_path / "old.cdx.json", tmp_path / "new.cdx.json")
    for field in ("components_added", "components_removed", "endpoints_added", "endpoints_removed"):
        assert getattr(from_sboms, field) == getattr(from_images, field)
    assert from_sboms.policies_changed == from_images.policies_changed
    code = main(["diff", str(tmp_path / "old.cdx.json"), str(tmp_path / "new.cdx.json")])
    assert code == 0 and "litedev.hik-connect.com" in capsys.readouterr().out
    main(["diff", str(old), str(new), "--format", "json", "--cache-dir", str(cache)])
    assert json.loads(capsys.readouterr().out)["endpoints_removed"]


@pytest.mark.corpus
def test_wr841n_against_openwrt_names_busybox_dropbear_and_kernel(
    corpus: Path, session_cache: Path
) -> None:
    changes = fwaudit.diff(corpus / WR841N, corpus / OPENWRT, cache_dir=session_cache)
    changed = {name: (old, new) for name, old, new in changes.components_changed}
    text = str(changes)
    for name in ("busybox", "dropbear", "linux"):
        assert name in changed or any(
            c.startswith(f"{name}@") for c in changes.components_added + changes.components_removed
        ), f"{name} missing from\n{text}"
    assert changed["busybox"][0] != changed["busybox"][1]
