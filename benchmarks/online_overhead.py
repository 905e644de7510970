"""What `--online` adds to `fwaudit scan` of the TP-Link WR841N when there is no network.

    .venv/bin/python benchmarks/online_overhead.py [--corpus DIR] [--repeat 3]

Three ways, interleaved, `--repeat` rounds each, medians: offline; `--online` with the IANA
bootstrap (no network: its name does not resolve); `--online` with the bootstrap on a
loopback port that refuses (`FWAUDIT_RDAP_BOOTSTRAP`), so "no network" holds on any machine.
Every run is the real command with a warm unpack cache (the user cache's `unpack/`, linked)
and a fresh RDAP cache. Prints the medians and the fastest runs with their ratio to offline
(on busy cores the fastest is the steadier figure), the problem the SBOM records, and the
median of the jurisdiction stage (where the RDAP look-ups run) of the same audit in process.
Target: online without a network adds at most 10 % to offline.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fwaudit.api import Auditor
from fwaudit.unpack.cache import default_cache_dir

IMAGE = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
SCAN = [sys.executable, "-m", "fwaudit.cli", "scan"]


def fresh_cache(work: Path) -> Path:
    """A cache folder with the warm unpack cache and no RDAP answers."""
    cache = Path(tempfile.mkdtemp(dir=work))
    (cache / "unpack").symlink_to(default_cache_dir().absolute() / "unpack")
    return cache


def scan(image: Path, work: Path, online: bool, bootstrap: str | None) -> tuple[float, list]:
    """Seconds of one `fwaudit scan` and the RDAP problems its SBOM records."""
    cache = fresh_cache(work)
    env = {k: v for k, v in os.environ.items() if k != "FWAUDIT_RDAP_BOOTSTRAP"}
    if bootstrap:
        env["FWAUDIT_RDAP_BOOTSTRAP"] = bootstrap
    out = cache / "sbom.cdx.json"
    command = [*SCAN, str(image), "-o", str(out), "--cache-dir", str(cache)]
    if online:
        command.append("--online")
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    properties = json.loads(out.read_text())["metadata"]["component"]["properties"]
    return seconds, [p["value"] for p in properties if " online." in p["value"]]


def stage(image: Path, work: Path, online: bool, bootstrap: str | None) -> float:
    """Seconds of the jurisdiction stage of the same audit, in process."""
    os.environ.pop("FWAUDIT_RDAP_BOOTSTRAP", None)
    if bootstrap:
        os.environ["FWAUDIT_RDAP_BOOTSTRAP"] = bootstrap
    data = Auditor(cache_dir=fresh_cache(work), online=online).audit_data(image)
    return dict(data.timings)["jurisdiction"]


def resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    image = args.corpus / IMAGE
    print(f"data.iana.org resolves: {resolves('data.iana.org')}")
    with tempfile.TemporaryDirectory() as work, socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        refused = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        ways = {
            "offline": (False, None),
            "--online, IANA bootstrap": (True, None),
            "--online, refusing bootstrap": (True, refused),
        }
        scan(image, Path(work), False, None)  # the unpack cache is warm from here on
        seconds: dict[str, list[float]] = {way: [] for way in ways}
        stages: dict[str, list[float]] = {way: [] for way in ways}
        recorded: dict[str, list] = {}
        for _ in range(args.repeat):
            for way, (online, bootstrap) in ways.items():
                took, recorded[way] = scan(image, Path(work), online, bootstrap)
                seconds[way].append(took)
                stages[way].append(stage(image, Path(work), online, bootstrap))
    base, fastest = statistics.median(seconds["offline"]), min(seconds["offline"])
    print(f"| {IMAGE} | scan median s | vs offline | scan min s | vs offline | jurisdiction s |")
    print("|---|---|---|---|---|---|")
    for way, times in seconds.items():
        median, least = statistics.median(times), min(times)
        print(
            f"| {way} | {median:.2f} | {median / base:.3f}x | {least:.2f} "
            f"| {least / fastest:.3f}x | {statistics.median(stages[way]):.3f} |"
        )
    for way, problems in recorded.items():
        for problem in problems:
            print(f"{way}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
