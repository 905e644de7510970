"""Component, endpoint and maker accuracy on the corpus ground truth, and the time of
everything after unpacking (inventory + identify + endpoints + jurisdiction), per image.

    .venv/bin/python benchmarks/analysis_accuracy.py [--corpus DIR]

Unpacked trees come from the cache (the unpack stage has its own benchmarks); the analysis
time is the median of 3 runs on a warm page cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fwaudit.accuracy import maker_matches
from fwaudit.api import open_image
from fwaudit.endpoints import find_endpoints
from fwaudit.identify import RuleSet, identify
from fwaudit.inventory import take_inventory
from fwaudit.jurisdiction import assess, builtin_policies, load_policy
from fwaudit.unpack import unpack_image


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "expected.json").read_text())["images"]
    rules = RuleSet()
    policies = [load_policy(p) for p in builtin_policies()]
    counts = dict(
        comp=0, comp_hit=0, wrong_comp=0, out=0, out_hit=0, bad_out=0, maker=0, maker_hit=0
    )
    print(
        "| image | components exact / expected | outbound found / expected | "
        "not_outbound as outbound | maker (expected) | analysis s |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        for name, expected in truth.items():
            image = open_image(args.corpus / name)
            outcome = unpack_image(image, cache_dir=cache)
            times = []
            for _ in range(3):
                started = time.perf_counter()
                inventory = take_inventory(image, outcome)
                components, _ = identify(inventory, rules)
                endpoints = find_endpoints(inventory, components)
                assessment = assess(inventory, outcome, components, endpoints, policies=policies)
                times.append(time.perf_counter() - started)
            maker = assessment.attribution.maker
            vendor = expected.get("vendor")
            counts["maker"] += bool(vendor)
            counts["maker_hit"] += bool(vendor and maker and maker_matches(maker.name, vendor))
            shown = f"{maker.name} ({maker.country})" if maker else "-"
            found = {(c.name, c.version) for c in components}
            names = {c.name for c in components}
            outbound = {e.host for e in endpoints if e.outbound}
            want = [(c["name"], c["version"]) for c in expected.get("components", [])]
            hits = sum(w in found for w in want)
            wrong = sum(n in names for n in expected.get("not_components", []))
            out_want = expected.get("outbound", [])
            out_hits = sum(h in outbound for h in out_want)
            bad = sum(h in outbound for h in expected.get("not_outbound", []))
            for key, value in (
                ("comp", len(want)),
                ("comp_hit", hits),
                ("wrong_comp", wrong),
                ("out", len(out_want)),
                ("out_hit", out_hits),
                ("bad_out", bad),
            ):
                counts[key] += value
            print(
                f"| {name} | {hits} / {len(want)} | {out_hits} / {len(out_want)} | {bad} | "
                f"{shown} ({vendor or '-'}) | {statistics.median(times):.2f} |",
                flush=True,
            )
    print(
        f"\ncomponent recall (exact version): {counts['comp_hit']}/{counts['comp']} = "
        f"{counts['comp_hit'] / counts['comp']:.3f}; not_components reported: "
        f"{counts['wrong_comp']}"
    )
    print(
        f"outbound recall: {counts['out_hit']}/{counts['out']} = "
        f"{counts['out_hit'] / counts['out']:.3f}; not_outbound hosts among outbound: "
        f"{counts['bad_out']}"
    )
    print(
        f"maker attribution: {counts['maker_hit']}/{counts['maker']} images whose expected.json "
        "names a vendor (makers.tsv, all files: benchmarks/labelled_accuracy.py)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
