# Two commands do all the set-up: `make demo` and `make test` (each creates .venv if needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-fr test lint bench docs i18n clean

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

demo-fr: $(STAMP)
	mkdir -p out
	$(BIN)/gap-engine check --lang fr fixtures/*.yaml --html out/report-fr.html
	@echo "Rapport HTML des fixtures (French HTML report): out/report-fr.html"

# Interface strings: extract every _() / N_() / pgettext() into the template, then merge it into the French
# catalogue (new messages arrive empty; tests/test_i18n.py fails until they are translated). The .po is read
# and compiled in memory at run time (gap_engine/i18n.py), so there is no .mo to build or keep up to date.
I18N_KEYWORDS := -k N_ -k gettext -k pgettext:1c,2
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --omit-header -w 120 -o gap_engine/locale/gap_engine.pot .
	$(BIN)/pybabel update -i gap_engine/locale/gap_engine.pot -d gap_engine/locale -D gap_engine -l fr --no-fuzzy-matching --ignore-obsolete -w 120

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy gap_engine
	$(BIN)/python -m pytest -n auto --dist loadfile

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
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache
