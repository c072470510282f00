# Two commands set everything up: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION := 2.13.0

.PHONY: run test index install clean-store postgres install-ocr install-doc system-packages

# torch goes in first, pinned: these machines carry a CPU build of it as a local file, and
# letting sentence-transformers pull torch would fetch a multi-GB CUDA build instead.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The Python environment and the system packages (Tesseract, LibreOffice, PostgreSQL), each
# installed only when missing: `make install` leaves a machine ready for `make test`.
install: $(STAMP) postgres system-packages

index: $(STAMP) system-packages
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

# Reading documents: Tesseract with its Vietnamese data OCRs scanned PDF pages, LibreOffice
# (headless, no GUI) converts legacy Word .doc files. Installed like PostgreSQL; a failed
# install does not stop `make run`/`make test`: the indexer then reports the pages or files
# it could not read and says what to install, and those tests skip saying why.
install-ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>&1 | grep -qx vie; } || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends tesseract-ocr tesseract-ocr-vie; \
	} || echo "warning: could not install tesseract-ocr tesseract-ocr-vie; scanned PDF pages will not be read and the OCR tests will be skipped" >&2

install-doc:
	@command -v soffice >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends libreoffice-writer-nogui; \
	} || echo "warning: could not install libreoffice-writer-nogui; .doc files will be skipped and their tests too" >&2

system-packages: install-ocr install-doc

test: $(STAMP) postgres system-packages
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

clean-store:
	rm -rf data/store
