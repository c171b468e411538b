# Two commands on a fresh machine with only python3: `make test` and `make demo`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck unit schemas clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check pulumi_smi sdk_tests tools examples bench policy_pack
	$(BIN)/ruff format --check pulumi_smi sdk_tests tools examples bench policy_pack

typecheck: $(STAMP)
	$(BIN)/mypy pulumi_smi

unit: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# How convert and the components scale, beside their floors (README, "Performance").
# BENCH_SIZES=1000 (or BENCH_TARGETS, BENCH_RUNS) for a quicker run.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# Re-extract the CRD schemas the tests validate against (needs ../shared/crds).
schemas: $(STAMP)
	$(BIN)/python tools/extract_schemas.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
