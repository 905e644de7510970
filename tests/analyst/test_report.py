"""The HTML report: self-contained, verdicts first, evidence a click away; rendered by a real
headless Chromium (Debian's `chromium`, which `make test` installs)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import fwaudit
from fwaudit.cli import main
from fwaudit.report import CHROMIUM_FLAGS, render_html
from tests.jurisdiction.cameras import CN_CLOUDS, camera_image

FAIL_RED = (0xC6, 0x28, 0x28)


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> fwaudit.AuditResult:
    folder = tmp_path_factory.mktemp("camera")
    image = camera_image(folder / "cam.tar.gz", CN_CLOUDS, "cn", copyright_line="(c) Hikvision")
    return fwaudit.audit(image, cache_dir=folder / "cache", declared_vendor="Acme Security")


def test_report_is_self_contained_with_verdicts_first(camera: fwaudit.AuditResult) -> None:
    page = render_html(camera.data)
    assert "<script" not in page
    assert not re.search(r'(src|href)="(?!data:|https?://|#)', page)  # no local files
    assert all(
        src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]+)"', page)
    )
    assert (
        page.index('id="verdicts"') < page.index('id="endpoints"') < page.index('id="components"')
    )
    assert 'class="card fail"' in page and "uk-2022-sensitive-sites" in page
    assert "<details" in page and "etc/cloud.conf" in page  # evidence a click away
    assert "litedev.hik-connect.com" in page


def test_scan_writes_the_report(tmp_path: Path, camera: fwaudit.AuditResult) -> None:
    image = camera.data.image.path
    code = main(
        [
            "scan",
            str(image),
            "-o",
            str(tmp_path / "s.cdx.json"),
            "--report",
            str(tmp_path / "r.html"),
            "--cache-dir",
            str(tmp_path / "c"),
        ]
    )
    assert code == 0 and "Verdicts" in (tmp_path / "r.html").read_text()


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return found


def test_report_renders_in_headless_chromium(camera: fwaudit.AuditResult, tmp_path: Path) -> None:
    browser = chromium()
    page = camera.to_html(tmp_path / "report.html")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, *profile, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert 'data-policy="uk-2022-sensitive-sites"' in dom and "Where it talks to" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            *profile,
            f"--screenshot={shot}",
            "--window-size=1200,1400",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    from PIL import Image

    pixels = Image.open(shot).convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, cards and plots, not a blank page
    assert any(rgb == FAIL_RED for _, rgb in colours)  # a red FAIL badge rendered
