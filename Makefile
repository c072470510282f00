# Two commands set everything up: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION := 2.13.0

.PHONY: run test index install clean-store

# torch goes in first, pinned: these machines carry a CPU build of it as a local file, and
# letting sentence-transformers pull torch would fetch a multi-GB CUDA build instead.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/tuyengiao index

run: index
	HF_HUB_OFFLINE=1 $(BIN)/tuyengiao run

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

clean-store:
	rm -rf data/store
