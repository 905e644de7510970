"""Model and limits invariants are checked where values are set."""

from __future__ import annotations

import pytest

from fwaudit.limits import Limits
from fwaudit.model import ExtractedNode, NodeKind, Problem, Severity


def test_problem_needs_stage_and_kind() -> None:
    with pytest.raises(ValueError, match="stage and a kind"):
        Problem("", "x", Severity.INFO, "", "")


def test_node_rejects_negative_offsets_and_sizes() -> None:
    with pytest.raises(ValueError, match="negative offset"):
        ExtractedNode("a", NodeKind.FILE, 1, 1, "", offset=-1)
    with pytest.raises(ValueError, match="negative size"):
        ExtractedNode("a", NodeKind.FILE, -1, 1, "")


def test_nodes_sort_by_path_first() -> None:
    b = ExtractedNode("b", NodeKind.FILE, 1, 1, "")
    a = ExtractedNode("a", NodeKind.FILE, 9, 1, "")
    assert sorted([b, a]) == [a, b]


def test_limits_reject_non_positive_values() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        Limits(max_depth=0)


def test_limits_name_the_breached_limit() -> None:
    limits = Limits(max_total_bytes=1000, max_files=10, max_ratio=2, ratio_floor_bytes=100)
    assert limits.exceeded(total_bytes=1001, files=1, image_size=10_000) == "total_bytes"
    assert limits.exceeded(total_bytes=10, files=11, image_size=10_000) == "files"
    assert limits.exceeded(total_bytes=500, files=1, image_size=100) == "ratio"
    assert limits.exceeded(total_bytes=90, files=1, image_size=1) is None  # under the floor
    assert Limits().key() != Limits(max_depth=3).key()
