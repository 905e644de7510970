"""Precision and recall of outbound endpoints on the labelled images, makers right, wrong
and falsely claimed on every corpus file, and device classes found, false and missed.

    .venv/bin/python benchmarks/labelled_accuracy.py [--corpus DIR] [--cache DIR] [-v]

Ground truth: the corpus's `endpoints-labelled.tsv` (every endpoint-like string of 7 images
labelled outbound, not or unclear) and `makers.tsv` (the maker, or `none`, of every file);
device classes from tests/jurisdiction/device_classes.tsv (every file's classes, or `none`).
A host reported outbound that the labels call `not`, or do not hold at all, is a false
positive; `unclear` labels count neither way. The built-in sample (build/sample) stands for
`ipcam-sample.bin`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fwaudit.accuracy import (
    EndpointScore,
    maker_matches,
    read_class_labels,
    read_endpoint_labels,
    read_maker_labels,
    score_endpoints,
)
from fwaudit.api import Auditor

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "build" / "sample" / "ipcam-sample.bin"
CLASS_LABELS = REPO / "tests" / "jurisdiction" / "device_classes.tsv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--cache", type=Path, default=None, help="unpack cache (default: user's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    auditor = Auditor(cache_dir=args.cache)
    endpoints(auditor, args.corpus)
    makers(auditor, args.corpus, verbose=args.verbose)
    device_classes(auditor, args.corpus)
    return 0


def endpoints(auditor: Auditor, corpus: Path) -> None:
    """Outbound precision and recall, per labelled image and in total."""
    labels = read_endpoint_labels(corpus / "endpoints-labelled.tsv")
    print("| image | outbound reported | true | false | missed | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    total = EndpointScore()
    for name, image_labels in sorted(labels.items()):
        path = SAMPLE if name == SAMPLE.name else corpus / name
        score = score_endpoints(name, auditor.audit_data(path), image_labels)
        total.add(score)
        found = len(score.true_positives) + len(score.false_positives)
        print(
            f"| {name} | {found} | {len(score.true_positives)} | {len(score.false_positives)} | "
            f"{len(score.missed)} | {score.precision:.3f} | {score.recall:.3f} |"
        )
    print(
        f"\noutbound endpoints: precision {total.precision:.3f} "
        f"({len(total.true_positives)} true, {len(total.false_positives)} false), "
        f"recall {total.recall:.3f} ({len(total.missed)} missed)"
    )
    for image, host, reason in total.false_positives:
        print(f"  false: {image}: {host} (label: {reason})")
    for image, host in total.missed:
        print(f"  missed: {image}: {host}")


def makers(auditor: Auditor, corpus: Path, *, verbose: bool) -> None:
    """Makers right, wrong, missed and falsely claimed on every file of makers.tsv."""
    right, wrong, false, missed = 0, [], [], []
    for name, truth in sorted(read_maker_labels(corpus / "makers.tsv").items()):
        path = SAMPLE if name == SAMPLE.name else corpus / name
        if not path.is_file():
            continue
        maker = auditor.audit_data(path).assessment.attribution.maker
        found = maker.name if maker else None
        if maker_matches(found, truth):
            right += 1
        elif truth is None:
            false.append((name, found))
        elif found is None:
            missed.append((name, truth))
        else:
            wrong.append((name, found, truth))
    count = right + len(wrong) + len(false) + len(missed)
    print(
        f"\nmakers: {right}/{count} right ({right / count:.1%}); false makers where the truth "
        f"is none: {len(false)}; wrong maker: {len(wrong)}; no maker found: {len(missed)}"
    )
    for name, found in false:
        print(f"  false: {name}: {found}")
    for name, found, truth in wrong:
        print(f"  wrong: {name}: {found} (truth {truth})")
    if verbose:
        for name, truth in missed:
            print(f"  not found: {name}: {truth}")


def device_classes(auditor: Auditor, corpus: Path) -> None:
    """Per class: images classed right, false classes (on any file, format test vectors
    included) and missed ones; exact sets right over every file."""
    labels = read_class_labels(CLASS_LABELS)
    found_right: dict[str, int] = {}
    false, missed, exact = [], [], 0
    for name, (wanted, is_exact) in sorted(labels.items()):
        path = SAMPLE if name == SAMPLE.name else corpus / name
        if not path.is_file():
            continue
        classes = auditor.audit_data(path).assessment.attribution.device_classes
        found = {c.name for c in classes}
        exact += found == wanted if is_exact else wanted <= found
        for cls in found & wanted:
            found_right[cls] = found_right.get(cls, 0) + 1
        false += [(name, cls) for cls in sorted(found - wanted) if is_exact]
        missed += [(name, cls) for cls in sorted(wanted - found)]
    print(
        f"\ndevice classes: {exact}/{len(labels)} files with exactly the expected classes; "
        + ", ".join(f"{cls} {n} right" for cls, n in sorted(found_right.items()))
        + f"; false classes: {len(false)}; missed: {len(missed)}"
    )
    for name, cls in false:
        print(f"  false: {name}: {cls}")
    for name, cls in missed:
        print(f"  missed: {name}: {cls}")


if __name__ == "__main__":
    sys.exit(main())
