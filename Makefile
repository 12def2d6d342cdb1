# Luotsi: Pelican's own conventions (html, serve, publish) plus test, bench, translations.
PY_BOOT ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
OUTPUTDIR := output
HOST ?= 127.0.0.1
PORT ?= 8000
THEME_DIR := plugins/luotsi/theme

.PHONY: help venv html serve publish test test-fast gates bench translations screenshots clean lint

help:
	@echo "make serve        install (if needed), build the demo, serve it on http://$(HOST):$(PORT), rebuilt on every save, with the feedback service on :8001"
	@echo "make test         install (if needed) system and Python packages and run the whole suite"
	@echo "make html         build the demo site into $(OUTPUTDIR)/"
	@echo "make publish      production build (publishconf.py, strict findings)"
	@echo "make bench        run the benchmarks under bench/"
	@echo "make translations extract, update and compile the theme's gettext catalogs"
	@echo "make screenshots  the demo in Chromium: a PNG per page type x width x language, and a contact sheet, in screenshots/"

# The virtual environment is created when missing and refreshed when pyproject.toml changes.
# A build needs Luotsi alone; `make serve` adds the feedback service (and a local mail sink);
# `make test` adds everything the tests drive.
$(BIN)/.installed-%: pyproject.toml
	test -x $(BIN)/python || $(PY_BOOT) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

venv: $(BIN)/.installed-test

# The checkers the quality-gate tests run (Nu HTML Checker, axe-core, Lighthouse, linkinator),
# pinned in tools/package.json; npm's install scripts stay off (vnu uses the system's Java).
tools/node_modules/.installed: tools/package.json
	cd tools && npm install --no-audit --no-fund --ignore-scripts
	touch $@

html: $(BIN)/.installed-demo
	$(BIN)/pelican content -o $(OUTPUTDIR) -s pelicanconf.py

serve: $(BIN)/.installed-demo
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) bash scripts/serve-demo.sh

publish: $(BIN)/.installed-demo
	$(BIN)/pelican content -o $(OUTPUTDIR) -s publishconf.py

test: $(BIN)/.installed-test
	bash scripts/install-system-deps.sh
	$(MAKE) tools/node_modules/.installed
	$(BIN)/ruff check .
	# Lighthouse's performance score is CPU time measured on this machine: it runs after the
	# rest, alone, as Lighthouse asks. Both runs always happen; either failing fails the target.
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not quiet"; parallel=$$?; \
	$(BIN)/python -m pytest -p no:xdist -m quiet; alone=$$?; \
	exit $$(( parallel || alone ))

test-fast: venv
	$(BIN)/python -m pytest -n 2 -m "not slow"

gates: venv tools/node_modules/.installed
	$(BIN)/python -m pytest -s tests/test_quality_gates.py

bench: venv
	bash scripts/install-system-deps.sh
	$(BIN)/python bench/build.py --qr-libraries
	$(BIN)/python bench/build.py --posts 50 --languages 2 --photos 50 --skip-main
	$(BIN)/python bench/feedback.py

translations: venv
	$(BIN)/pybabel extract -F babel.cfg --no-location -o $(THEME_DIR)/translations/messages.pot $(THEME_DIR)/templates plugins/luotsi/forms plugins/luotsi/service
	for lang in fi en sv de ja; do \
	  if [ -f $(THEME_DIR)/translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i $(THEME_DIR)/translations/messages.pot -d $(THEME_DIR)/translations -l $$lang --no-fuzzy-matching; \
	  else \
	    $(BIN)/pybabel init -i $(THEME_DIR)/translations/messages.pot -d $(THEME_DIR)/translations -l $$lang; \
	  fi; \
	done
	$(BIN)/pybabel compile -d $(THEME_DIR)/translations --statistics

screenshots: $(BIN)/.installed-test
	bash scripts/install-system-deps.sh
	$(BIN)/python scripts/screenshots.py --out screenshots

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(OUTPUTDIR) cache .luotsi-cache
