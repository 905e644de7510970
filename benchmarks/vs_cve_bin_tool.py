"""fwaudit's component identification next to cve-bin-tool's version scanner, on the same
extracted trees, against the corpus ground truth.

    .venv/bin/python benchmarks/vs_cve_bin_tool.py [--corpus DIR]

cve-bin-tool (PyPI `cve-bin-tool`, 3.4) is installed into its own virtual environment
(`build/cve-bin-tool-venv`, made on first use) so its dependencies never touch fwaudit's. It runs
offline: a throw-away HOME holds a pre-created `version_map.db` (the sqlite checker's version
map, marked fresh) so nothing is fetched, and only its `VersionScanner` is used (no CVE
lookup). Both tools get the tree fwaudit unpacked (or the image itself when nothing was
extracted); times are for identification only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fwaudit.api import open_image
from fwaudit.identify import RuleSet, identify
from fwaudit.inventory import take_inventory
from fwaudit.unpack import unpack_image

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / "build" / "cve-bin-tool-venv"
# cve-bin-tool product names -> ground-truth names
ALIASES = {
    "linux_kernel": "linux",
    "dropbear_ssh": "dropbear",
    "libcurl": "curl",
    "uclibc": "uclibc",
    "u-boot": "u-boot",
    "wpa_supplicant": "wpa_supplicant",
    "micropython": "micropython",
    "esp-idf": "esp-idf",
}
SCANNER = r"""
import json, logging, sqlite3, sys, time
from pathlib import Path
cache = Path.home() / ".cache" / "cve-bin-tool"
cache.mkdir(parents=True, exist_ok=True)
db = sqlite3.connect(cache / "version_map.db")
db.execute("CREATE TABLE IF NOT EXISTS sqlite(version TEXT, sourceId TEXT PRIMARY KEY)")
db.execute("CREATE TABLE IF NOT EXISTS latest_update_sqlite (datestamp DATETIME PRIMARY KEY)")
db.execute("DELETE FROM latest_update_sqlite")
db.execute("INSERT INTO latest_update_sqlite VALUES (?)", (time.time(),))
db.commit(); db.close()
logging.disable(logging.CRITICAL)
from cve_bin_tool.version_scanner import VersionScanner
scanner = VersionScanner(should_extract=False)
out = {}
for target in sys.argv[1:]:
    started = time.perf_counter()
    found = set()
    scan = scanner.recursive_scan(target) if Path(target).is_dir() else scanner.scan_file(target)
    for info in scan or ():
        if info:
            found.add((info.product_info.product, info.product_info.version))
    out[target] = {"seconds": time.perf_counter() - started, "found": sorted(found)}
print(json.dumps(out))
"""


def cve_bin_tool_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "cve-bin-tool==3.4"], check=True)
    return python


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "expected.json").read_text())["images"]
    rules = RuleSet()
    python = cve_bin_tool_python()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp) / "cache"
        targets, ours = {}, {}
        for name in truth:
            image = open_image(args.corpus / name)
            outcome = unpack_image(image, cache_dir=cache)
            targets[name] = str(outcome.root if outcome.files else image.path)
            started = time.perf_counter()
            components, _ = identify(take_inventory(image, outcome), rules)
            ours[name] = ({(c.name, c.version) for c in components}, time.perf_counter() - started)
        home = Path(tmp) / "home"
        home.mkdir()
        env = {**os.environ, "HOME": str(home)}
        done = subprocess.run(
            [str(python), "-c", SCANNER, *targets.values()],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(done.stdout.strip().splitlines()[-1])
    print("| image | expected | fwaudit exact | fwaudit s | cve-bin-tool exact | cve-bin-tool s |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0.0, 0.0]
    for name, expected in truth.items():
        want = {(c["name"], c["version"]) for c in expected.get("components", [])}
        found, seconds = ours[name]
        result = theirs[targets[name]]
        cbt = {(ALIASES.get(p, p), v) for p, v in result["found"]}
        hit_ours, hit_cbt = len(want & found), len(want & cbt)
        totals[0] += len(want)
        totals[1] += hit_ours
        totals[2] += hit_cbt
        totals[3] += seconds
        totals[4] += result["seconds"]
        print(
            f"| {name} | {len(want)} | {hit_ours} | {seconds:.2f} | {hit_cbt} | "
            f"{result['seconds']:.2f} |",
            flush=True,
        )
    print(
        f"| **total** | {totals[0]} | {totals[1]} | {totals[3]:.1f} | {totals[2]} | "
        f"{totals[4]:.1f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
