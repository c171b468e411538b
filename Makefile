# Two commands on a fresh machine with only python3: `make test` and `make demo`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck unit schemas clean bench dist package-check

# pulumi_smi/__init__.py holds the version, which the editable install's metadata records.
$(STAMP): pyproject.toml pulumi_smi/__init__.py
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

# One worker per core (pytest-xdist): CI has two, and the suite is mostly CPU-bound.
unit: $(STAMP)
	$(BIN)/python -m pytest -n auto

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# How convert and the components scale, beside their floors (README, "Performance").
# BENCH_SIZES=1000 (or BENCH_TARGETS, BENCH_RUNS) for a quicker run.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# Re-extract the CRD schemas the tests validate against (needs ../shared/crds).
schemas: $(STAMP)
	$(BIN)/python tools/extract_schemas.py

# The wheel and sdist to publish, in dist/ (the wheel is built from the sdist, so both are checked).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

# The built wheel installed into a fresh venv (dependencies from PyPI), as a user would:
# its version, its pulumi-plugin.json and one convert. Run by .ci/run after `make test`.
WHEEL_VENV ?= /tmp/pulumi-smi-wheel-venv
package-check: dist
	rm -rf $(WHEEL_VENV)
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet dist/*.whl
	cd / && $(WHEEL_VENV)/bin/python -c 'import json, pulumi_smi; \
	  from importlib import metadata, resources; \
	  assert pulumi_smi.__file__.startswith("$(WHEEL_VENV)/"), pulumi_smi.__file__; \
	  assert metadata.version("pulumi-smi") == pulumi_smi.__version__; \
	  data = resources.files("pulumi_smi"); \
	  assert json.loads(data.joinpath("pulumi-plugin.json").read_text()) == {"resource": False}; \
	  assert data.joinpath("py.typed").is_file(); \
	  print(f"pulumi-smi {pulumi_smi.__version__}")' > $(WHEEL_VENV)/expected-version
	$(WHEEL_VENV)/bin/pulumi-smi --version | cmp - $(WHEEL_VENV)/expected-version
	$(WHEEL_VENV)/bin/pulumi-smi convert --mesh istio examples/manifests/bookinfo/*.yaml \
	  > $(WHEEL_VENV)/convert.yaml
	grep -q '^kind: VirtualService$$' $(WHEEL_VENV)/convert.yaml
	@echo "package-check: ok: $$(ls dist/*.whl), $$(cat $(WHEEL_VENV)/expected-version), in a fresh venv"

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis dist
