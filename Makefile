# Self-documenting Makefile: `make help` lists every target with its `##` comment.
# The virtual environment is built from requirements.lock on first use; nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
NODE_STAMP  := node_modules/.installed
TEST_WORKERS ?= auto

.PHONY: test-site test-lab annotate annotate-pdf help reports test test-outputs lint lab benchmark-tests venv lock environment.yml check-data clean-venv notebooks verify benchmark faults

help: ## List the targets
	@grep -hE '^[a-zA-Z_.-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON_BOOT)" || { echo "Python 3.11+ is needed (python3 not found)"; exit 1; }
	@$(PYTHON_BOOT) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version)'
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name techmarket --display-name "Python (techmarket)" >/dev/null
	$(PY) -m techmarket fonts --check
	touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment from the pinned lock (runs automatically)

reports: $(STAMP) ## Build the HTML reports into reports/ (the main job)
	$(PY) -m techmarket build

annotate: $(STAMP) ## The paper annotated with every claim's verdict (PAPER=path, default ../shared/paper/…)
	$(PY) -m techmarket annotate $(if $(PAPER),--paper "$(PAPER)")

annotate-pdf: annotate ## Print the annotated paper to reports/annotated_paper.pdf (needs chromium)
	@command -v chromium >/dev/null || { echo "annotate-pdf needs Debian's chromium (apt-get install chromium)"; exit 1; }
	chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf=reports/annotated_paper.pdf \
		"file://$(CURDIR)/reports/annotated_paper.html" 2>/dev/null
	@echo "wrote reports/annotated_paper.pdf"

test: lint ## Run every test: lint, data, loaders, metrics, notebooks (nbval), reports in a browser
	$(PY) -m pytest -n $(TEST_WORKERS)

# The whole-site checks' own tools, pinned in package-lock.json: axe-core and the Nu Html Checker (vnu.jar,
# run by Debian's Java). --ignore-scripts: vnu-jar's install script would download a Java of its own.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "the whole-site checks need npm (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

test-site: $(STAMP) $(NODE_STAMP) ## The whole-site checks: hostile data stays text; axe-core (WCAG 2.1 AA, reflow at 320 px) and the Nu Html Checker on every page (run by .ci/run)
	$(PY) -m pytest -n $(TEST_WORKERS) -m site tests

test-lab: $(STAMP) ## The notebooks in JupyterLab, driven in headless Chromium (.ci/run: after make test)
	TECHMARKET_TEST_LAB=1 $(PY) -m pytest -n 0 tests/test_jupyterlab.py

test-outputs: $(STAMP) ## Only the checks of notebook outputs, on a fresh build (.ci/run: other BLAS kernels)
	$(PY) -m pytest -n $(TEST_WORKERS) --fresh-build notebooks tests/test_outputs.py tests/test_notebooks.py

lint: $(STAMP) ## Lint code and notebooks (ruff) and the package's architecture (import-linter: one-way rooms, no loops)
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/lint-imports --no-cache --no-logo pyproject.toml

lab: $(STAMP) ## Open JupyterLab on the notebooks with the project kernel (as root too)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

benchmark: $(STAMP) ## Time the report build against a naive loop and a floor (prints a table)
	$(PY) benchmarks/build_benchmark.py

benchmark-tests: $(STAMP) ## Time `make test` on a warm environment against its 60 s target (prints a table)
	$(PY) benchmarks/suite_benchmark.py

faults: $(STAMP) ## Seed misprints into every printed figure and audit each copy; fails on a missed target (prints a table)
	$(PY) benchmarks/faults_benchmark.py

verify: $(STAMP) ## Audit every claim of the paper; fails if a verdict changed from the snapshot
	$(PY) -m techmarket verify

notebooks: $(STAMP) ## Re-execute the committed notebooks in place (after changing notebooks, lib/ or data/)
	$(PY) -m techmarket refresh-notebooks

check-data: $(STAMP) ## Validate every table in data/ and print a summary
	$(PY) -m techmarket check-data

lock: $(STAMP) ## Regenerate requirements.lock from requirements.in, then environment.yml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock requirements.in
	$(PY) -m techmarket environment > environment.yml

environment.yml: $(STAMP) ## Regenerate environment.yml from requirements.lock
	$(PY) -m techmarket environment > environment.yml

clean-venv: ## Remove the virtual environment
	rm -rf $(VENV)
