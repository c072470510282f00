# Two commands set everything up: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION := 2.13.0

.PHONY: run test index install clean-store postgres

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

# The broadcast tests start a throwaway PostgreSQL server (tests/postgres_server.py): install
# the Debian package when its binaries are missing (root on these machines; sudo otherwise).
# A failed install does not stop `make test`: those tests then skip, saying why.
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	} || echo "warning: could not install postgresql; the PostgreSQL tests will be skipped" >&2

test: $(STAMP) postgres
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

clean-store:
	rm -rf data/store
