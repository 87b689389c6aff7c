# Shanxing: `make run` starts everything on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PACKAGES := libs/common services/registry services/activities services/points services/gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
STAMP := $(VENV)/.installed

.PHONY: run test install clean

run: install
	@PATH="$(CURDIR)/$(BIN):$$PATH" exec deploy/dev-up

test: install
	$(BIN)/ruff check --quiet libs services tests
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): constraints.txt $(PYPROJECTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt \
	  $(addprefix -e ,$(PACKAGES)) pytest hypothesis honcho ruff pypdf
	@touch $@

clean:
	rm -rf $(VENV) var
