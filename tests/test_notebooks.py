"""The analyst notebooks run headless, top to bottom, as stored (without outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE, corpus_dir

NOTEBOOKS = REPO / "notebooks"
NEEDS_CORPUS = {"02-fleet-triage.ipynb", "03-what-changed.ipynb"}


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_is_stored_without_outputs(name: str) -> None:
    book = json.loads((NOTEBOOKS / name).read_text())
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_executes(
    name: str, sample: Path, session_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if name in NEEDS_CORPUS and not (corpus_dir() / "expected.json").is_file():
        pytest.skip(f"{name} works on the corpus, not found at {corpus_dir()}")
    monkeypatch.setenv("FWAUDIT_SAMPLE", str(SAMPLE))
    monkeypatch.setenv("FWAUDIT_CORPUS", str(corpus_dir()))
    monkeypatch.setenv("FWAUDIT_CACHE_DIR", str(session_cache))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors
    shown = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert any("text/html" in o.get("data", {}) for o in shown)  # tables and results render
    assert any("image/png" in o.get("data", {}) for o in shown)  # plots show inline
