# fwaudit: two commands on a fresh machine.
#   make demo   set up, build the sample firmware, audit it into demo-out/ (SBOM + HTML report)
#   make test   set up, build the sample firmware, lint and run the whole test suite
#               (installs Debian chromium for the HTML report test)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := build/sample/ipcam-sample.bin
export FWAUDIT_CORPUS ?= ../shared/corpus

.PHONY: setup sample demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	sh scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

sample: $(SAMPLE)

$(SAMPLE): scripts/build_sample.py | $(STAMP)
	$(BIN)/python scripts/build_sample.py build/sample

demo: setup sample
	$(BIN)/fwaudit scan $(SAMPLE) -o demo-out/sample.cdx.json --report demo-out/sample-report.html

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup sample lint
	sh scripts/install-system-deps.sh --browser
	$(BIN)/python -m pytest -q -ra

bench: setup sample
	$(BIN)/python benchmarks/unpack_coverage.py
	$(BIN)/python benchmarks/unpack_speed.py
	$(BIN)/python benchmarks/squashfs_speed.py
	$(BIN)/python benchmarks/analysis_accuracy.py
	$(BIN)/python benchmarks/batch_scaling.py

clean:
	rm -rf $(VENV) build demo-out .pytest_cache .ruff_cache
