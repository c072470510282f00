"""Chunks read from disk on demand: the same chunks as the file holds, in order, by row, per
document, from several threads at once, and still readable after the version is pruned."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from knowledge.chunk_table import ChunkTable
from knowledge.passages import Chunk


def write(path: Path, chunks: list[tuple[Chunk, str]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for chunk, file in chunks:
            fh.write(json.dumps({**chunk.to_json(), "file": file}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def rows(tmp_path: Path) -> list[tuple[Chunk, str]]:
    out = []
    for d in range(30):
        for o in range(d % 4 + 1):
            text = f"Điều {o + 1}. Đảng viên thực hiện nghị quyết số {d}-NQ/TW " + "ạ" * (d * 37)
            out.append((Chunk(f"vb-{d}.txt", o, ("I. CHUNG", f"{o + 1}."), text), f"/k/{d}.txt"))
    return out


def test_rows_iteration_and_documents_match_the_file(tmp_path: Path, rows: list) -> None:
    table = ChunkTable(write(tmp_path / "chunks.jsonl", rows))
    chunks = [c for c, _ in rows]
    assert len(table) == len(chunks) and bool(table)
    assert table[0] == chunks[0] and table[-1] == chunks[-1] and table[17] == chunks[17]
    assert table[3:7] == chunks[3:7]
    assert list(table) == chunks and table == chunks
    assert table.files() == [f for _, f in rows]
    assert table.rows_of("vb-7.txt") == [i for i, c in enumerate(chunks) if c.doc_id == "vb-7.txt"]
    assert table.rows_of("missing") == []
    assert [table.doc_id(i) for i in range(len(table))] == [c.doc_id for c in chunks]
    with pytest.raises(IndexError):
        table[len(chunks)]


def test_iteration_crosses_read_blocks(tmp_path: Path, rows: list) -> None:
    # Blocks smaller than some lines: each read still yields whole lines.
    table = ChunkTable(write(tmp_path / "chunks.jsonl", rows), read_block=300)
    assert list(table) == [c for c, _ in rows]


def test_threads_read_at_once(tmp_path: Path, rows: list) -> None:
    table = ChunkTable(write(tmp_path / "chunks.jsonl", rows))
    expected = [c for c, _ in rows]
    failures: list[str] = []

    def read() -> None:
        for _ in range(20):
            if list(table) != expected or [table[i] for i in range(len(table))] != expected:
                failures.append("mismatch")

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures


def test_a_pruned_version_stays_readable_while_held(tmp_path: Path, rows: list) -> None:
    folder = tmp_path / "versions" / "v1"
    folder.mkdir(parents=True)
    table = ChunkTable(write(folder / "chunks.jsonl", rows))
    shutil.rmtree(tmp_path / "versions")  # what pruning does to an old version
    assert table[5] == rows[5][0] and list(table) == [c for c, _ in rows]


def test_lines_written_another_way_are_still_read(tmp_path: Path) -> None:
    """Keys in another order, odd spacing, a quote and the file key inside a text, no final
    newline: each row still gets its document and file."""
    lines = [
        '{"doc_id": "a.txt", "ordinal": 0, "headings": [], "text": "x, \\"file\\": \\"no\\"", "file": "/k/a"}',
        '{"file": "/k/b", "doc_id": "b.txt", "ordinal": 0, "headings": [], "text": "y"}',
        '{"doc_id":"c.txt","ordinal":0,"headings":["I."],"text":"z","file":"/k/c"}',
    ]
    path = tmp_path / "chunks.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")  # no newline after the last line
    table = ChunkTable(path)
    assert [table.doc_id(i) for i in range(3)] == ["a.txt", "b.txt", "c.txt"]
    assert table.files() == ["/k/a", "/k/b", "/k/c"]
    assert table[0].text == 'x, "file": "no"' and table[2] == Chunk("c.txt", 0, ("I.",), "z")
    assert [c.doc_id for c in table] == ["a.txt", "b.txt", "c.txt"]
