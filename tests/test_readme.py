"""The README's Python tour runs as written (each ```python block of that section, in
order, in one namespace, from the repository root), and every public name is documented."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import fwaudit
from tests.conftest import REPO


def tour_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Python tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.mark.slow
def test_the_python_tour_runs_as_written(
    sample: Path, session_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocks = tour_blocks()
    assert len(blocks) >= 3
    monkeypatch.setenv("FWAUDIT_CACHE_DIR", str(session_cache))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert isinstance(namespace["result"], fwaudit.AuditResult)


PUBLIC_MODULES = [
    "fwaudit.api",
    "fwaudit.result",
    "fwaudit.explanation",
    "fwaudit.frames",
    "fwaudit.plots",
    "fwaudit.report",
    "fwaudit.loading",
    "fwaudit.compare",
    "fwaudit.results",
    "fwaudit.sbom",
    "fwaudit.sbom_read",
    "fwaudit.batch",
    "fwaudit.batch.jobs",
    "fwaudit.batch.store",
    "fwaudit.batch.tables",
    "fwaudit.batch.worker",
    "fwaudit.batch.runners",
    "fwaudit.batch.guard",
    "fwaudit.batch.progress",
]


def _members(name: str, item: object) -> list[tuple[str, object]]:
    found = [(name, item)]
    if inspect.isclass(item):
        for member, value in vars(item).items():
            target = value.fget if isinstance(value, property) else value
            target = getattr(target, "func", target)  # cached_property
            ours = getattr(target, "__module__", None) == item.__module__  # not inherited
            if not member.startswith("_") and inspect.isfunction(target) and ours:
                found.append((f"{name}.{member}", target))
    return found


def public_callables() -> list[tuple[str, object]]:
    """fwaudit.__all__ and every public function and class of the API modules."""
    found = []
    for name in fwaudit.__all__:
        item = getattr(fwaudit, name)
        if inspect.isfunction(item) or (
            inspect.isclass(item) and not issubclass(item, BaseException)
        ):
            found += _members(name, item)
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name, item in vars(module).items():
            if name.startswith("_") or getattr(item, "__module__", None) != module_name:
                continue
            if inspect.isfunction(item) or inspect.isclass(item):
                found += _members(f"{module_name}.{name}", item)
    return found


@pytest.mark.parametrize(("name", "item"), public_callables(), ids=lambda v: str(v)[:40])
def test_public_api_has_docstrings_and_type_hints(name: str, item: object) -> None:
    assert inspect.getdoc(item), f"{name} has no docstring"
    if inspect.isfunction(item):
        signature = inspect.signature(item)
        missing = [
            p.name
            for p in signature.parameters.values()
            if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
        ]
        assert not missing, f"{name}: parameters without type hints: {missing}"
        assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
