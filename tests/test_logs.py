"""Logs out of the conversation (issue 16, item 2): in the terminal chat log lines go to a
rotating file (WARNING and above also to stderr when stderr is not a terminal); a service
logs to stderr; `ask`/`search` show only warnings unless --verbose."""

from __future__ import annotations

import io
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from tuyengiao.logs import configure


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def root(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """A logger of its own standing in for the root one (not registered with `logging`, so
    the test runner's capture handlers never reach it)."""
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    logger = logging.Logger("logs-test")
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def emit(root: logging.Logger) -> None:
    root.info("new person 1")
    root.warning("store fallback")


def test_terminal_chat_logs_to_a_file_and_nothing_on_the_terminal(root: logging.Logger,
                                                                  tmp_path: Path) -> None:
    screen = FakeTty()
    log_file = tmp_path / "logs" / "tuyengiao.log"
    assert configure("INFO", command="run", terminal_chat=True, log_file=log_file,
                     stderr=screen, root=root) == log_file
    emit(root)
    assert screen.getvalue() == ""
    written = log_file.read_text(encoding="utf-8")
    assert "INFO" in written and "new person 1" in written and "store fallback" in written
    [handler] = root.handlers
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == 5 * 1024 * 1024 and handler.backupCount == 5


def test_terminal_chat_with_stderr_redirected_shows_warnings_there(root: logging.Logger,
                                                                   tmp_path: Path) -> None:
    journal = io.StringIO()  # not a terminal: a file or a journal
    configure("INFO", command="run", terminal_chat=True, log_file=tmp_path / "t.log",
              stderr=journal, root=root)
    emit(root)
    assert "store fallback" in journal.getvalue() and "new person 1" not in journal.getvalue()


def test_a_service_logs_everything_to_stderr(root: logging.Logger, tmp_path: Path) -> None:
    journal = io.StringIO()
    assert configure("INFO", command="run", terminal_chat=False, log_file=tmp_path / "t.log",
                     stderr=journal, root=root) is None
    emit(root)
    assert "new person 1" in journal.getvalue() and "store fallback" in journal.getvalue()
    assert not (tmp_path / "t.log").exists()


@pytest.mark.parametrize(("verbose", "info_shown"), [(False, False), (True, True)])
def test_ask_shows_only_warnings_unless_verbose(root: logging.Logger, tmp_path: Path,
                                                verbose: bool, info_shown: bool) -> None:
    import os

    err = io.StringIO()
    configure("INFO", command="ask", terminal_chat=False, log_file=tmp_path / "t.log",
              verbose=verbose, stderr=err, root=root)
    emit(root)
    assert ("new person 1" in err.getvalue()) is info_shown
    assert "store fallback" in err.getvalue()
    # the model hub's progress bars ("Loading weights") are off unless asked for
    assert (os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS") == "1") is not verbose
