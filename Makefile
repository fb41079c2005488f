# Two commands on a fresh machine: `make report` and `make test`. Everything sets itself up.
SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Quarto is optional: used when on PATH or named by QUARTO; else our offline renderer.
QUARTO ?= $(shell command -v quarto 2>/dev/null)
DEPS_HASH := $(shell sha256sum pyproject.toml | cut -c1-16)
STAMP := $(VENV)/.setup-$(DEPS_HASH)
CH ?=
# numpy's BLAS on one thread in tests and scripts too, as _environment sets it for renders (it
# says why); a value already in your environment wins.
export OPENBLAS_NUM_THREADS ?= 1
NAME ?=

.PHONY: setup report chapter test test-fast clean data submission bench lint

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	@$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	@rm -f $(VENV)/.setup-*
	@touch $@

# `make report`: HTML site + one PDF in _book/ (chapters re-execute only when their source changed).
# The pre-render script (python -m lib.pipelines) and post-render script (_book/results.json)
# are declared in _quarto.yml and run by Quarto and by qrender alike.
report: setup
ifneq ($(QUARTO),)
	PATH="$(abspath $(VENV))/bin:$$PATH" QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render
else
	nice $(PY) -m qrender render
endif

# `make chapter CH=03-training`: always re-executes that chapter, then rebuilds the outputs.
chapter: setup
	@test -n "$(CH)" || { echo "usage: make chapter CH=<name>, e.g. CH=03-training"; exit 2; }
ifneq ($(QUARTO),)
	PATH="$(abspath $(VENV))/bin:$$PATH" QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render report/$(basename $(notdir $(CH))).qmd --cache-refresh
else
	nice $(PY) -m qrender render --chapter $(basename $(notdir $(CH)))
endif

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

data: setup
	$(PY) -m lib.data.fetch

bench: setup
	$(PY) bench/nn_epoch.py

lint: setup
	$(PY) -m ruff check lib qrender tests bench

# `make submission`: _book/submission/<andrew-id>.zip in the course's layout (python/ scripts + the
# lib code they import + cached weights; never trains) and the book's PDF beside it. The Andrew ID
# is read from _quarto.yml's book: author; NAME=<name> names the zip otherwise.
submission: setup
	$(PY) -m course.build $(if $(NAME),--name $(NAME))

# Removes every output and cache (trained models included: the next build retrains).
clean:
	rm -rf _book _freeze .quarto .qrender .cache figures/*.png figures/*.svg
	rm -rf tests/qrender/fixture/_book tests/qrender/fixture/.qrender
