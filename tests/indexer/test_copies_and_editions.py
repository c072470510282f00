"""Which documents are copies of one: a stable answer, and two editions never merged.

The copy rule compares sampled character shingles (indexer/duplicates.py). Two builds of the
same folder must agree whatever PYTHONHASHSEED the process got, and two editions of one
number (a guide of 2016 and its 2021 successor, mostly the same words) stay two documents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from indexer.duplicates import Candidate, CopyFinder, find_duplicates
from knowledge.passages import DocumentMeta

REPO = Path(__file__).resolve().parents[2]
TEXT = (
    "Hướng dẫn việc tổ chức sinh hoạt chi bộ chuyên đề hằng quý. Chi bộ chọn chủ đề gắn với "
    "nhiệm vụ chính trị của địa phương, cơ quan, đơn vị; bí thư chi bộ chuẩn bị nội dung, "
    "phân công đảng viên chuẩn bị ý kiến tham luận; buổi sinh hoạt có kết luận và ghi biên "
    "bản đầy đủ. Ban Tuyên giáo cấp ủy cấp trên theo dõi, hướng dẫn và tổng hợp kết quả."
) * 3


def _doc(doc_id: str, issued: date | None, number: str = "01-HD/BTGTU") -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title="Hướng dẫn", source=doc_id, number=number,
                        doc_type="Hướng dẫn", issued=issued)


def test_the_same_text_under_every_hash_seed_gives_the_same_shingles() -> None:
    script = ("import json, sys; from indexer.duplicates import shingles; "
              "print(json.dumps(sorted(shingles(sys.stdin.read()))))")
    outputs = set()
    for seed in ("0", "6", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], input=TEXT, text=True,
                              capture_output=True, cwd=REPO, env=env, check=True, timeout=60)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(json.loads(outputs.pop())) >= 12  # enough shingles to be compared at all


def test_two_editions_of_one_number_are_two_documents_however_alike() -> None:
    older, newer = _doc("hd01-2016.txt", date(2016, 3, 1)), _doc("hd01-2021.txt", date(2021, 5, 4))
    candidates = [Candidate(older, TEXT, 0), Candidate(newer, TEXT, 1)]
    assert find_duplicates(candidates) == {}
    finder = CopyFinder()
    assert finder.add(candidates[0]) == [] and finder.add(candidates[1]) == []


def test_copies_with_one_date_or_an_unknown_date_are_still_copies() -> None:
    docx, pdf = _doc("hd01.docx", date(2021, 5, 4)), _doc("hd01.pdf", date(2021, 5, 4))
    undated = _doc("hd01-scan.pdf", None, number="")
    assert find_duplicates([Candidate(docx, TEXT, 0), Candidate(pdf, TEXT, 1),
                            Candidate(undated, TEXT, 2)]) == {
        "hd01.pdf": "hd01.docx", "hd01-scan.pdf": "hd01.docx"}
