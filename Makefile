# Two commands on a fresh machine: `make report` and `make test`. Everything sets itself up.
SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The exact versions that produced the book (`make lock` writes it from pyproject.toml). `LOCK=`
# (empty) installs from pyproject.toml's ranges alone, e.g. on a platform the lock was not made for.
LOCK ?= requirements-lock.txt
# Quarto is optional: used when on PATH or named by QUARTO; else our offline renderer.
QUARTO ?= $(shell command -v quarto 2>/dev/null)
DEPS_HASH := $(shell cat pyproject.toml $(LOCK) | sha256sum | cut -c1-16)
STAMP := $(VENV)/.setup-$(DEPS_HASH)
CH ?=
# numpy's BLAS on one thread in tests and scripts too, as _environment sets it for renders (it
# says why); a value already in your environment wins.
export OPENBLAS_NUM_THREADS ?= 1
NAME ?=

# NAME and CH reach shell lines: they must be plain names (letters, digits, '-', '_', '.'). The raw
# text is checked ($(value ...): a '$(shell ...)' in it is never run) before any recipe starts; a
# bad value stops make with one line and exit code 2. Recipes quote them as well.
SAFE_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9 - _ .
_unsafe = $(if $(2),$(call _unsafe,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
check_name = $(if $(or $(call _unsafe,$(2),$(SAFE_CHARS)),$(filter-out 1,$(words $(2)))),$(error $(1)='$(2)' is not allowed: use letters, digits, '-', '_' and '.' only, e.g. $(1)=$(3)))
CHAPTER := $(basename $(notdir $(value CH)))
ifneq ($(filter submission,$(MAKECMDGOALS)),)
$(if $(value NAME),$(call check_name,NAME,$(value NAME),andrewid))
endif
ifneq ($(filter chapter,$(MAKECMDGOALS)),)
$(if $(value CH),$(call check_name,CH,$(CHAPTER),03-training),$(error usage: make chapter CH=<name>, e.g. CH=03-training))
endif

.PHONY: setup lock report chapter test test-fast clean data submission bench lint

setup: $(STAMP)

# One pip run installs the lock's exact versions together with pyproject.toml's dependencies and
# dev tools, so pip checks that the two agree (a stale lock is an error, not a silent mix); it
# runs again whenever pyproject.toml or the lock changes.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	@$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --upgrade '$(or $(if $(LOCK),$(shell grep -sE '^pip==' $(LOCK))),pip)'
	$(PY) -m pip install --quiet $(if $(LOCK),--requirement $(LOCK)) --requirement $(VENV)/requirements.txt
	@rm -f $(VENV)/.setup-*
	@touch $@

# `make lock`: requirements-lock.txt from pyproject.toml (dependencies and the dev extra) with
# pip-compile, for this platform (Linux x86_64, CPython 3.11: the machines and CI that build the
# book). It pins pip too, which setup installs first: a pip that this pip-compile runs with.
# Versions already in the lock are kept; `make lock LOCK_ARGS=--upgrade` takes the newest.
lock:
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	@$(PY) -m piptools --version >/dev/null 2>&1 || $(PY) -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile --quiet --extra dev --strip-extras \
	  --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file requirements-lock.txt pyproject.toml

# `make report`: HTML site + one PDF in _book/ (chapters re-execute only when their source changed).
# The pre-render script (python -m lib.pipelines) and post-render script (_book/results.json)
# are declared in _quarto.yml and run by Quarto and by qrender alike. `make data` first fetches
# missing datasets (offline: one line each, within seconds, and the book does without them).
report: setup data
ifneq ($(QUARTO),)
	PATH="$(abspath $(VENV))/bin:$$PATH" QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render
else
	nice $(PY) -m qrender render
endif

# `make chapter CH=03-training`: always re-executes that chapter, then rebuilds the outputs.
# Quarto always executes a file rendered on its own (https://quarto.org/docs/projects/code-execution.html),
# so no --cache-refresh; but a failed render leaves _book/ half emptied: the site is copied aside
# first and put back if the render fails. (qrender builds its outputs aside itself.)
chapter: setup
ifneq ($(QUARTO),)
	@kept=$$(mktemp -d); [ ! -d _book ] || cp -a _book "$$kept/"; \
	if PATH="$(abspath $(VENV))/bin:$$PATH" QUARTO_PYTHON=$(abspath $(PY)) $(QUARTO) render 'report/$(CHAPTER).qmd'; then \
	  rm -rf "$$kept"; \
	else status=$$?; \
	  if [ -d "$$kept/_book" ]; then rm -rf _book && mv "$$kept/_book" _book && echo "make chapter: the render failed; _book/ is as it was before" >&2; fi; \
	  rm -rf "$$kept"; exit $$status; \
	fi
else
	nice $(PY) -m qrender render --chapter '$(CHAPTER)'
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
	$(PY) -m course.build $(if $(NAME),--name='$(NAME)')

# Removes every output and cache (trained models included: the next build retrains).
clean:
	rm -rf _book _freeze .quarto .qrender .cache figures/*.png figures/*.svg
	rm -rf tests/qrender/fixture/_book tests/qrender/fixture/.qrender
