# Shanxing: `make run` starts everything on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PACKAGES := libs/common services/registry services/activities services/points services/gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
STAMP := $(VENV)/.installed

.PHONY: run test install browser clean

run: install
	@PATH="$(CURDIR)/$(BIN):$$PATH" exec deploy/dev-up

test: install browser
	$(BIN)/ruff check --quiet libs services tests
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): constraints.txt $(PYPROJECTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt \
	  $(addprefix -e ,$(PACKAGES)) pytest hypothesis honcho ruff kubernetes-validate zxing-cpp playwright pypdf
	@touch $@

# The POS page's browser test drives Debian's Chromium (Playwright cannot download browsers here).
# Installed once when missing; the test fails under CI=true if it is still missing.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (apt-get)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "warning: $(CHROMIUM) is missing and cannot be installed here; the POS browser test needs it"; fi; }

clean:
	rm -rf $(VENV) var
