"""Two indexing runs on one store, in real processes: the second waits (`--wait`) or is
refused with a message naming the first and exit code 75; two runs released at the same
instant publish one after the other, the later one built on the earlier one's version (never
two versions from the same starting point, one of them silently lost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import build_store
from indexer.lock import StoreBusy
from knowledge.embedder import HashingEmbedder
from knowledge.store import current_version_name, versions_dir
from tests.conftest import REPO

WAIT = 60.0  # seconds; only reached when something is broken

HOLDER = """
import sys
from pathlib import Path
from indexer.lock import index_lock
with index_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.readline()
"""

# One indexing run with the test embedder, started when the parent says "go".
RUN = """
import json, sys
from pathlib import Path
from indexer.build import build_store
from indexer.lock import StoreBusy
from knowledge.embedder import HashingEmbedder
store, wait, folders = Path(sys.argv[1]), float(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
embedder = HashingEmbedder()
print("ready", flush=True)
sys.stdin.readline()
try:
    report = build_store(folders, store, embedder, lock_wait=wait)
except StoreBusy as exc:
    print(json.dumps({"busy": str(exc)}), flush=True)
    sys.exit(75)
print(json.dumps({"version": report.version, "unchanged": report.files_unchanged,
                  "changed": report.files_changed}), flush=True)
"""


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def holder(store: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store's indexing lock until told to stop."""
    proc = python(HOLDER, str(store))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "holding", proc.stderr.read() if proc.stderr else ""
    yield proc
    if proc.poll() is None:
        proc.communicate("\n", timeout=WAIT)


def test_a_second_tuyengiao_index_is_refused_with_the_first_ones_name(
    holder: subprocess.Popen[str], store: Path, knowledge_dir: Path, tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "tuyengiao.cli", "index", str(knowledge_dir), "--store", str(store),
         "--no-progress"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=WAIT,
    )
    assert run.returncode == 75, run.stderr
    owner = (store / ".index.lock.owner").read_text(encoding="utf-8").strip()
    assert owner.startswith(f"pid {holder.pid}, since ")
    assert run.stderr.strip().splitlines()[-1] == (
        f"the store {store} is being indexed by another run ({owner}); not started. "
        "Run again when it has finished, or pass --wait SECONDS to wait for it."
    )
    assert run.stdout == ""
    assert current_version_name(store) is None  # nothing published
    # refused before the embedding model was loaded (that alone takes longer on 2 cores)
    assert "embedding model" not in run.stderr
    assert time.monotonic() - started < WAIT


def test_a_run_waits_up_to_its_bound_then_goes_ahead_when_the_other_finishes(
    holder: subprocess.Popen[str], store: Path, knowledge_dir: Path,
) -> None:
    started = time.monotonic()
    with pytest.raises(StoreBusy) as refused:
        build_store([knowledge_dir], store, HashingEmbedder(), lock_wait=0.5)
    assert time.monotonic() - started >= 0.5
    assert str(refused.value).startswith(f"the store {store} is being indexed by another run (pid "
                                         f"{holder.pid}, since ")
    assert "; not started after waiting 0.5 s. " in str(refused.value)

    done = threading.Event()
    reports: list[str | None] = []

    def index() -> None:
        reports.append(build_store([knowledge_dir], store, HashingEmbedder(), lock_wait=WAIT).version)
        done.set()

    thread = threading.Thread(target=index)
    thread.start()
    assert not done.wait(0.3)  # still waiting for the other run
    holder.communicate("\n", timeout=WAIT)
    assert done.wait(WAIT)
    thread.join(WAIT)
    assert reports[0] is not None and current_version_name(store) == reports[0]
    assert not (store / ".index.lock.owner").exists()


def test_two_runs_released_together_publish_one_after_the_other(
    store: Path, knowledge_dir: Path, tmp_path: Path, write_knowledge,  # type: ignore[no-untyped-def]
) -> None:
    extra = write_knowledge(tmp_path / "extra", {
        "thong-bao-9.txt": "THÔNG BÁO\nvề lịch sinh hoạt chi bộ tháng 12\n"
                           "I. NỘI DUNG\nCác chi bộ sinh hoạt chuyên đề vào ngày 20.",
    })
    runs = [python(RUN, str(store), str(WAIT), str(knowledge_dir)),
            python(RUN, str(store), str(WAIT), str(knowledge_dir), str(extra))]
    for proc in runs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in runs:  # both start building at the same instant
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in runs:
        out, err = proc.communicate(timeout=WAIT)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    names = [r["version"] for r in results]
    assert all(names) and names[0] != names[1]
    # whichever went first started from nothing; the second started from the first one's
    # version and reused the 3 files both index (without the lock both would say 0)
    first, second = sorted(results, key=lambda r: r["version"])
    assert first["unchanged"] == 0 and first["changed"] in (3, 4)
    assert second["unchanged"] == 3
    assert current_version_name(store) == second["version"]
    assert sorted(p.name for p in versions_dir(store).iterdir()) == sorted(names)
