"""One indexing run at a time per store: an exclusive lock on `<store>/.index.lock`.

Two builds at once would both read the same current version, both publish, and the later
pointer switch would silently drop what the earlier one added. The lock is the `filelock`
package's (an OS lock, `fcntl.flock` on Linux, so a crashed run never leaves it held; a
well-kept library beats our own fcntl code, and it is already installed with the model stack).
It is re-entrant within a thread, so `tuyengiao index` can take it before loading the model
(refusing at once instead of after a minute) and `build_store` take it again.

Beside the lock, `.index.lock.owner` says who holds it (pid, start time, command), so the
refusal can name the other run. The lock must live on a local filesystem: flock over NFS is
not reliable.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)

LOCK_NAME = ".index.lock"
OWNER_NAME = ".index.lock.owner"


class StoreBusy(Exception):
    """Another indexing run holds the store's lock. `holder` describes it ("" if unknown)."""

    def __init__(self, store_dir: Path, holder: str, waited: float) -> None:
        self.store_dir = store_dir
        self.holder = holder
        self.waited = waited
        who = f" ({holder})" if holder else ""
        after = f" after waiting {waited:g} s" if waited > 0 else ""
        super().__init__(
            f"the store {store_dir} is being indexed by another run{who}; not started{after}. "
            "Run again when it has finished, or pass --wait SECONDS to wait for it."
        )


@contextmanager
def index_lock(store_dir: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's indexing lock for the block. `wait`: seconds to wait for another run
    to finish (0: refuse at once). Raises StoreBusy when the lock is not had in time."""
    store_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(store_dir / LOCK_NAME, is_singleton=True)
    try:
        lock.acquire(timeout=max(wait, 0.0))
    except Timeout:
        raise StoreBusy(store_dir, _holder(store_dir), wait) from None
    outermost = lock.lock_counter == 1
    try:
        if outermost:
            _write_owner(store_dir)
        yield
    finally:
        if outermost:
            (store_dir / OWNER_NAME).unlink(missing_ok=True)
        lock.release()


def _write_owner(store_dir: Path) -> None:
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]
    tmp = store_dir / f"{OWNER_NAME}.{os.getpid()}"
    tmp.write_text(f"pid {os.getpid()}, since {started}: {command}\n", encoding="utf-8")
    os.replace(tmp, store_dir / OWNER_NAME)


def _holder(store_dir: Path) -> str:
    try:
        return (store_dir / OWNER_NAME).read_text(encoding="utf-8").strip()[:300]
    except OSError:
        return ""
