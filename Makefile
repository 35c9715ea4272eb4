# Two commands do all the set-up: `make demo` and `make test` (each creates .venv if needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python tools/check_build_prereqs.py
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/gap-engine check fixtures/*.yaml --html out/report.html
	@echo "HTML report of the fixtures: out/report.html"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

docs: $(STAMP)
	$(BIN)/gap-engine rules docs -o docs/rules.md
	$(BIN)/gap-engine schema > docs/profile.schema.json
	$(BIN)/gap-engine schema --results > docs/results.schema.json
	$(BIN)/gap-engine schema --results-line > docs/results-line.schema.json
	$(BIN)/gap-engine schema --rules > docs/rule-file.schema.json
	$(BIN)/gap-engine schema --pack > docs/pack.schema.json
	$(BIN)/gap-engine schema --diff > docs/diff.schema.json

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
