# The README's commands. Everything installs itself into .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# make run HOST=0.0.0.0 (or NEURAL_CANVAS_HOST=0.0.0.0) shares the app on the network.
HOST ?= $(or $(NEURAL_CANVAS_HOST),localhost)
PORT ?= 8501
# make test runs the test files on two processes; TEST_WORKERS=1 runs them in one.
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test models bench data lint clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m core data fetch mnist

run: data
	$(PY) -m core serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) lint
	$(PY) -m core data fetch mnist fashion_mnist
	$(PY) -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

models: data
	$(PY) -m core models train all

bench: data
	$(PY) -m core bench

clean-venv:
	rm -rf $(VENV)
