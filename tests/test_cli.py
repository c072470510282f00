"""The `tuyengiao` command in-process, with the real offline model (each command loads it;
after the first load in a process that takes a fraction of a second).

The shipped sample documents are indexed once per module into a temporary store.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import messages
from tuyengiao.cli import main

pytestmark = pytest.mark.model

SEARCH_KEYS = {"doc_id", "title", "section", "source", "score", "text"}
CITATION_KEYS = {"doc_id", "title", "section", "source"}
CHI_THI_12 = "chi-thi-12-CT-TU-chuyen-doi-so.txt"


@dataclass(frozen=True)
class Indexed:
    documents: Path
    store: Path
    rc: int
    out: str
    err: str


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def indexed(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    store = tmp_path_factory.mktemp("cli") / "store"
    documents = samples_dir / "documents"
    script = samples_dir / "make_binary_samples.py"  # not a document: reported as skipped
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(store.parent)  # no developer .env changes what the command does
        rc, out, err = run(["index", str(documents), str(script), "--store", str(store), "--no-progress"])
        yield Indexed(documents, store, rc, out, err)


def test_index_prints_a_summary_and_the_skipped_files(indexed: Indexed) -> None:
    assert indexed.rc == 0, indexed.err
    files = sorted(p for p in indexed.documents.iterdir() if p.is_file())
    summary = indexed.out.strip().splitlines()[-1]
    assert summary.startswith(f"{len(files) + 1} files: {len(files)} new or changed, 0 unchanged")
    assert "1 skipped" in summary and "published" in summary
    chunks = int(summary.split(" chunks;")[0].rsplit(" ", 1)[1])
    assert chunks > 0 and f"embedded {chunks} chunks (reused 0)" in summary
    assert "skipped " in indexed.err and "make_binary_samples.py: unsupported type .py" in indexed.err
    assert (indexed.store / "CURRENT").is_file()


def test_search_json(indexed: Indexed) -> None:
    rc, out, _ = run(["search", "sinh hoạt chi bộ về chuyển đổi số", "--store", str(indexed.store),
                      "--json", "-k", "4"])
    assert rc == 0
    rows = json.loads(out)
    assert isinstance(rows, list) and 0 < len(rows) <= 4
    for row in rows:
        assert set(row) == SEARCH_KEYS
        assert row["text"] and row["title"] and isinstance(row["score"], float)
        # doc_id is the path relative to the indexed folder (JSONL passages carry their own id)
        if not row["source"].startswith("hoi-dap-mau.jsonl#"):
            assert row["doc_id"] == row["source"] and (indexed.documents / row["doc_id"]).is_file()
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert CHI_THI_12 in [r["doc_id"] for r in rows]


def test_ask_answers_a_sample_question_with_citations(indexed: Indexed) -> None:
    question = "Mỗi chi bộ phải sinh hoạt chuyên đề về chuyển đổi số mấy lần một năm?"
    rc, out, _ = run(["ask", question, "--store", str(indexed.store), "--json"])
    assert rc == 0
    data = json.loads(out)
    assert set(data) == {"answered", "answer", "citations"}
    assert data["answered"] is True
    assert data["citations"] and all(CITATION_KEYS <= set(c) for c in data["citations"])
    cited = {c["doc_id"]: c for c in data["citations"]}
    assert CHI_THI_12 in cited
    assert cited[CHI_THI_12]["section"] == "II. NHIỆM VỤ, GIẢI PHÁP"
    assert cited[CHI_THI_12]["source"] == CHI_THI_12
    assert "Mỗi chi bộ dành ít nhất một kỳ sinh hoạt chuyên đề trong năm về chuyển đổi số" in data["answer"]
    assert messages.SOURCES in data["answer"]


def test_ask_refuses_an_out_of_domain_question(indexed: Indexed) -> None:
    rc, out, _ = run(["ask", "Cách nấu phở bò ngon?", "--store", str(indexed.store)])
    assert rc == 0
    assert messages.NOT_FOUND in out
    # the examples of how to ask name the store's newest numbered documents
    assert messages.not_found_hints(("Nghị quyết 21-NQ/ĐU", "Công văn 150")) in out
    assert messages.SOURCES not in out


def test_second_index_embeds_nothing(indexed: Indexed) -> None:
    current = (indexed.store / "CURRENT").read_text(encoding="utf-8")
    rc, out, _ = run(["index", str(indexed.documents), "--store", str(indexed.store), "--no-progress"])
    assert rc == 0
    assert "embedded 0 chunks" in out and "store already up to date" in out
    assert (indexed.store / "CURRENT").read_text(encoding="utf-8") == current


def test_commands_without_a_store_say_so(tmp_path: Path) -> None:
    rc, out, err = run(["search", "chi bộ", "--store", str(tmp_path / "none"), "--mode", "lexical"])
    assert rc == 2 and out == "" and "tuyengiao index" in err
    rc, out, err = run(["documents", "--store", str(tmp_path / "none")])
    assert rc == 2 and out == "" and "tuyengiao index" in err


def test_ask_and_search_check_the_store_before_loading_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model that cannot load (a name not on disk) is never reached without a store: the
    answer is the missing store, at once, not a model error after seconds of loading."""
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    for argv in (["ask", "chi bộ sinh hoạt mấy lần"], ["search", "chi bộ", "--mode", "hybrid"]):
        rc, out, err = run([*argv, "--store", str(tmp_path / "none")])
        assert (rc, out) == (2, ""), err
        assert f"no store at {tmp_path / 'none'}: run 'tuyengiao index PATH' first" in err


DOCUMENT_KEYS = {"doc_id", "source", "number", "type", "issuer", "date", "title", "chunks", "warnings",
                 "status", "replaced_by", "repealed_by", "amended_by", "replaces", "repeals", "amends"}


def test_documents_lists_every_document_with_its_metadata(indexed: Indexed) -> None:
    rc, out, _ = run(["documents", "--store", str(indexed.store), "--json"])
    assert rc == 0
    rows = json.loads(out)
    assert all(set(row) == DOCUMENT_KEYS for row in rows)
    files = {p.name for p in indexed.documents.iterdir() if p.suffix != ".jsonl"}
    assert files <= {row["source"] for row in rows}
    ct12 = next(row for row in rows if row["doc_id"] == CHI_THI_12)
    assert (ct12["number"], ct12["type"], ct12["date"]) == ("12-CT/TU", "Chỉ thị", "2025-03-15")
    assert ct12["issuer"] == "Ban Thường vụ Tỉnh ủy"
    assert ct12["title"] == "Về tăng cường công tác tuyên truyền chuyển đổi số trên địa bàn tỉnh"
    assert ct12["chunks"] > 0 and ct12["warnings"] == []

    rc, table, _ = run(["documents", "--store", str(indexed.store)])
    assert rc == 0
    lines = table.splitlines()
    assert lines[0].split() == ["source", "number", "type", "date", "issuer", "chunks", "title"]
    assert any(line.startswith(CHI_THI_12[:30]) and "12-CT/TU" in line and "2025-03-15" in line for line in lines)
    assert lines[-1] == f"{len(rows)} documents"


CORPUS = [
    {"doc_id": "ct05", "title": "Chỉ thị 05 (mẫu)",
     "text": "Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ mỗi quý."},
    {"doc_id": "nq57", "title": "Nghị quyết 57 (mẫu)",
     "text": "Mỗi xã có một điểm thư viện số; khuyến khích văn hóa đọc trong đảng viên."},
    {"doc_id": "kl01", "title": "Kết luận 01 (mẫu)",
     "text": "Mỗi chi bộ có ít nhất một cộng tác viên dư luận xã hội, báo cáo hằng tháng."},
    {"doc_id": "hd08", "title": "Hướng dẫn 08 (mẫu)",
     "text": "Đảng viên vắng mặt buổi học tập nghị quyết phải học bù trong 30 ngày."},
]
QUERIES = [
    {"qid": "q1", "question": "Thư viện số ở xã và văn hóa đọc", "relevant": ["nq57"]},
    {"qid": "q2", "question": "Cộng tác viên dư luận xã hội báo cáo khi nào?", "relevant": ["kl01"]},
    {"qid": "q3", "question": "Đảng viên vắng mặt có phải học bù không?", "relevant": ["hd08"]},
]


def test_eval_prints_metrics_and_writes_rankings(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    corpus.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in CORPUS), encoding="utf-8")
    queries.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in QUERIES), encoding="utf-8")
    out_file = tmp_path / "rankings.json"

    rc, out, _ = run(["eval", "--corpus", str(corpus), "--queries", str(queries),
                      "--store", str(tmp_path / "store"), "--out", str(out_file)])

    assert rc == 0
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 2
    for line, variant in zip(lines, ("as given", "no diacritics")):
        assert line.startswith("hybrid") and variant in line
        for label in ("R@1 ", "R@5 ", "R@10 ", "MRR@10 ", "nDCG@10 ", "(n=3)"):
            assert label in line
    # the queries share their words with one passage each: found either way
    assert "R@10 1.000" in lines[0] and "R@10 1.000" in lines[1]

    dump = json.loads(out_file.read_text(encoding="utf-8"))
    corpus_ids = {x["doc_id"] for x in CORPUS}
    for variant in ("as given", "no diacritics"):
        result = dump["hybrid"][variant]
        assert result["metrics"]["queries"] == 3
        top10 = result["top10"]
        assert set(top10) == {"q1", "q2", "q3"}
        for q in QUERIES:
            ranking = top10[q["qid"]]
            assert 0 < len(ranking) <= 10 and len(set(ranking)) == len(ranking)
            assert set(ranking) <= corpus_ids
            assert q["relevant"][0] in ranking


def test_lexicon_checks_an_officers_file_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    good = tmp_path / "cach-noi-tinh.tsv"
    good.write_text("cách nói thường ngày\tcách nói trong văn bản\nđi họp tổ\tsinh hoạt tổ đảng\n",
                    encoding="utf-8")
    rc, out, _ = run(["lexicon", str(good)])
    assert (rc, out) == (0, "1 files: 0 abbreviation rows, 1 wording rows, 0 problems\n")
    bad = tmp_path / "viet-tat-tinh.tsv"
    bad.write_text("viết tắt\tdạng đầy đủ\tđiều kiện\nTTVH\ttrung tâm văn hóa\nABC\tan bình\tsau số\n",
                   encoding="utf-8")
    rc, out, _ = run(["lexicon", str(bad)])
    assert rc == 1
    assert out.splitlines() == [
        "viet-tat-tinh.tsv:3: unknown condition «sau số» (use «trước số», «viết hoa» or «trước: từ 1, từ 2»)",
        "1 files: 1 abbreviation rows, 0 wording rows, 1 problems",
    ]


def test_lexicon_without_files_checks_the_bundled_and_configured_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    extra = tmp_path / "x.tsv"
    extra.write_text("viết tắt\tdạng đầy đủ\nTTVH\ttrung tâm văn hóa\n", encoding="utf-8")
    monkeypatch.setenv("LEXICON_FILES", str(extra))
    rc, out, _ = run(["lexicon"])
    assert rc == 0 and out.startswith("3 files: ") and out.endswith(", 0 problems\n")
