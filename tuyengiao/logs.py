"""Where log lines go, chosen once by the entry point (tuyengiao/cli.py) for the command run.

- A service on Telegram or Zalo (`tuyengiao run` with a token), `index`, `eval`, `admin`,
  `broadcast`, `poll`: every line at LOG_LEVEL to stderr (the service's journal).
- The terminal chat (`tuyengiao run` with no token): the conversation alone is printed;
  log lines go to a rotating file (LOG_FILE, under the data folder; its path is shown once
  at the start), and WARNING and above also to stderr when stderr is not the terminal
  (redirected to a file or a journal), where nobody is chatting.
- `ask`, `search`, `documents`, `lexicon`, `adapt`: the answer alone; WARNING and above on stderr,
  everything with `--verbose`.

Library progress bars (transformers' "Loading weights", the model hub's downloads) are off
unless `--verbose`: they go through one switch the hub library reads at import
(HF_HUB_DISABLE_PROGRESS_BARS), which child processes (the encoder export) inherit. The
indexer's own bars (reading, embedding) are ours and stay (`index --no-progress`).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 5 * 1024 * 1024  # rotated at 5 MB, LOG_FILE_BACKUPS old files kept
LOG_FILE_BACKUPS = 5
_OURS = "_tuyengiao_handler"  # marks the handlers this module added
QUIET_COMMANDS = frozenset({"ask", "search", "documents", "lexicon", "adapt"})

# Libraries that chat at INFO about loading weights and HTTP: keep them quiet. PTB's bots log
# every Bot API call with its parameters at DEBUG (chat ids = the members a poll went to, and
# message texts): never below INFO, even with LOG_LEVEL=DEBUG (anonymous polls).
LIBRARY_LOG_LEVELS: dict[str, int] = {
    **{name: logging.WARNING for name in ("sentence_transformers", "transformers", "httpx",
                                          "bm25s", "faiss", "aiohttp.access")},
    "telegram.Bot": logging.INFO, "telegram.ext.ExtBot": logging.INFO,
}


def configure(level: str, *, command: str, terminal_chat: bool, log_file: Path,
              verbose: bool = False, stderr: TextIO | None = None,
              root: logging.Logger | None = None) -> Path | None:
    """Set up the root logger (or `root`) for `command`; the log file's path when lines go
    to one (the terminal chat), else None. `terminal_chat`: `run` with no platform token.
    Like `logging.basicConfig`, it leaves a logger that someone else gave handlers (a test
    runner embedding the CLI) as it is, apart from the libraries' levels."""
    stderr = stderr or sys.stderr
    if not verbose:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name, library_level in LIBRARY_LOG_LEVELS.items():
        logging.getLogger(name).setLevel(library_level)
    root = root or logging.getLogger()
    if any(not getattr(h, _OURS, False) for h in root.handlers):
        return None
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level.upper())
    formatter = logging.Formatter(FORMAT)
    written: Path | None = None
    if terminal_chat and not verbose:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8")
        to_file.setFormatter(formatter)
        setattr(to_file, _OURS, True)
        root.addHandler(to_file)
        written = log_file
        if not _is_terminal(stderr):
            root.addHandler(_stream(stderr, formatter, logging.WARNING))
    else:
        quiet = command in QUIET_COMMANDS and not verbose
        root.addHandler(_stream(stderr, formatter, logging.WARNING if quiet else logging.NOTSET))
    return written


def _stream(stream: TextIO, formatter: logging.Formatter, level: int) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.setLevel(level)
    setattr(handler, _OURS, True)
    return handler


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


__all__ = ["LIBRARY_LOG_LEVELS", "QUIET_COMMANDS", "configure"]
