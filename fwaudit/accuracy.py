"""Score audits against labelled ground truth: outbound endpoints (precision and recall) and
makers (right, wrong, false where the truth is `none`).

The label files are the corpus's `endpoints-labelled.tsv` (image, host, label = outbound | not
| unclear, reason, evidence) and `makers.tsv` (file, maker or `none`, basis). A lab scores its
own labelled images with the same functions.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .model import AuditData


@dataclass
class EndpointScore:
    """Outbound endpoints of one or more images against their labels."""

    true_positives: list[tuple[str, str]] = field(default_factory=list)  # (image, host)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # + label reason
    missed: list[tuple[str, str]] = field(default_factory=list)
    unclear: int = 0

    @property
    def precision(self) -> float:
        found = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = len(self.true_positives) + len(self.missed)
        return len(self.true_positives) / wanted if wanted else 1.0

    def add(self, other: EndpointScore) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.missed += other.missed
        self.unclear += other.unclear


def read_endpoint_labels(path: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """image -> host -> (label, reason)."""
    labels: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            labels[row["image"]][row["host"].lower()] = (row["label"], row["reason"])
    return dict(labels)


def read_class_labels(path: Path) -> dict[str, tuple[frozenset[str], bool]]:
    """file -> (its device classes, whether they are exact or "at least"), from a TSV of
    file, classes (comma-separated, or `none`), match (`exact` or `at-least`), basis
    (tests/jurisdiction/device_classes.tsv for shared/corpus)."""
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {
            r["file"]: (
                frozenset() if r["classes"] == "none" else frozenset(r["classes"].split(",")),
                r["match"] == "exact",
            )
            for r in rows
        }


def read_maker_labels(path: Path) -> dict[str, str | None]:
    """file -> maker name, or None where the truth is `none`."""
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {
            r["file"]: (None if r["maker_or_none"] == "none" else r["maker_or_none"]) for r in rows
        }


def score_endpoints(
    image: str, data: AuditData, labels: dict[str, tuple[str, str]]
) -> EndpointScore:
    """Outbound hosts of one audit against one image's labels. A host reported outbound that
    the labels do not hold at all counts as a false positive (the labels list every
    endpoint-like string); `unclear` labels count neither way."""
    score = EndpointScore()
    found = {e.host.lower() for e in data.outbound}
    for host in sorted(found):
        label, reason = labels.get(host, ("unlabelled", "not in the labels"))
        if label == "outbound":
            score.true_positives.append((image, host))
        elif label == "unclear":
            score.unclear += 1
        else:
            score.false_positives.append((image, host, reason))
    score.missed += [
        (image, h)
        for h, (label, _) in sorted(labels.items())
        if label == "outbound" and h not in found
    ]
    return score


def maker_matches(found: str | None, truth: str | None, aliases: tuple[str, ...] = ()) -> bool:
    """Whether an attributed maker name agrees with a label (case-insensitive, either name
    may carry a parenthesised legal name: `Geeni (Merkury Innovations)`)."""
    if found is None or truth is None:
        return found is None and truth is None
    wanted = {_plain(truth), *(_plain(p) for p in _parts(truth))}
    got = {_plain(found), *(_plain(a) for a in aliases)}
    return bool(wanted & got)


def _parts(text: str) -> tuple[str, ...]:
    head, _, rest = text.partition("(")
    return (head, rest.rstrip(")")) if rest else (head,)


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())
