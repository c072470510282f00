"""Validity resolved across the store at build time (indexer/validity.py): generated chains
of replaced, amended and repealed documents, sidecar and front-matter overrides, the real
huongdan06.pdf (which replaces 01-HD/TW of 28/9/2021), and incremental builds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.catalog import catalog_rows, catalog_table
from knowledge.embedder import HashingEmbedder
from knowledge.store import StoreVersion, load_current
from tests.conftest import MARKER, REPO
from tests.validity_docs import write_validity_documents

REALDOCS = REPO.parent / "shared" / "realdocs"
LINKS = ("replaced_by", "repealed_by", "amended_by", "replaces", "repeals", "amends")


def _build(paths: list[Path], store: Path) -> StoreVersion:
    build_store(paths, store, HashingEmbedder())
    version = load_current(store)
    assert version is not None
    return version


def _rows(version: StoreVersion) -> dict[str, dict[str, object]]:
    return {row["doc_id"]: row for row in catalog_rows(version)}


@pytest.fixture
def generated(tmp_path: Path) -> StoreVersion:
    return _build([write_validity_documents(tmp_path / "docs")], tmp_path / "store")


def test_status_and_links_of_every_generated_document(generated: StoreVersion) -> None:
    rows = _rows(generated)
    got = {doc_id: (row["status"], {k: row[k] for k in LINKS if row[k]}) for doc_id, row in rows.items()}
    assert got == {
        "qd90.txt": ("replaced", {"replaced_by": ["101-QĐ/TU"]}),
        "qd101.txt": ("replaced", {"replaced_by": ["205-QĐ/TU"], "replaces": ["90-QĐ/TU"]}),
        "qd205.txt": ("amended", {"amended_by": ["210-QĐ/TU"], "replaces": ["101-QĐ/TU"],
                                  "repeals": ["15-HD/BTGTU", "40-KH/TU"]}),
        "qd210.txt": ("in_force", {"amends": ["205-QĐ/TU"]}),
        "hd15.txt": ("repealed", {"repealed_by": ["205-QĐ/TU"]}),
        # Declared in force by its sidecar, whatever Quy định 205 says.
        "kh40.txt": ("in_force", {"repealed_by": ["205-QĐ/TU"]}),
        # Replaced by a document that is only named (not in the store).
        "ct07.txt": ("replaced", {"replaced_by": ["09-CT/TU"]}),
        # An end date in its front matter, long past.
        "kh33.md": ("expired", {}),
    }


def test_dates_chains_and_named_links(generated: StoreVersion) -> None:
    docs = generated.documents
    # It stopped when its replacement took effect ("có hiệu lực từ ngày 15/01/2024").
    assert docs["qd205.txt"].validity.effective == date(2024, 1, 15)
    assert docs["qd101.txt"].validity.ended == date(2024, 1, 15)
    assert docs["qd101.txt"].validity.effective == date(2019, 3, 10)  # "từ ngày ký"
    assert docs["qd90.txt"].validity.ended == date(2019, 3, 10)
    assert docs["kh33.md"].validity.ended == date(2020, 12, 31)
    # 90 → 101 → 205: the one in force now is at the end of the chain.
    assert [link.doc_id for link in docs["qd90.txt"].validity.current] == ["qd205.txt"]
    named = docs["ct07.txt"].validity.replaced_by[0]
    assert (named.label, named.number, named.doc_id, named.issued) == (
        "Chỉ thị 09-CT/TU", "09-CT/TU", None, date(2025, 2, 1))
    # The claims themselves are kept, with the words they were read from.
    claim = next(c for c in docs["qd205.txt"].validity.claims if c.kind == "replaces")
    assert claim.quote == ("Quy định này có hiệu lực từ ngày 15/01/2024 và thay thế Quy định số 101-QĐ/TU, "
                           "ngày 10/3/2019 của Ban Thường vụ Tỉnh ủy.")


def test_the_table_says_what_is_no_longer_in_force(generated: StoreVersion) -> None:
    table = catalog_table(catalog_rows(generated))
    assert "    → replaced\n    → replaced by 205-QĐ/TU\n    → replaces 90-QĐ/TU" in table
    assert "    → replaced by 09-CT/TU" in table


def test_a_later_build_resolves_unchanged_documents_again(tmp_path: Path) -> None:
    folder = write_validity_documents(tmp_path / "docs")
    _build([folder], tmp_path / "store")
    (folder / "qd300.txt").write_text(f"""{MARKER}
ĐẢNG BỘ TỈNH MINH SƠN
TỈNH ỦY
Số 300-QĐ/TU
Minh Sơn, ngày 2 tháng 2 năm 2025
QUYẾT ĐỊNH
về việc bãi bỏ văn bản
Điều 1. Bãi bỏ Quyết định số 210-QĐ/TU ngày 01/6/2024 của Ban Thường vụ Tỉnh ủy.
""", encoding="utf-8")
    report = build_store([folder], tmp_path / "store", HashingEmbedder())
    assert report.files_unchanged == 8 and report.files_changed == 1
    rows = _rows(load_current(tmp_path / "store"))  # type: ignore[arg-type]
    # qd210.txt was not read again, yet it is now repealed, and 205 no longer amended by it
    # is still amended (the claim stands in its history).
    assert (rows["qd210.txt"]["status"], rows["qd210.txt"]["repealed_by"]) == ("repealed", ["300-QĐ/TU"])
    assert rows["qd300.txt"]["repeals"] == ["210-QĐ/TU"]


def test_a_number_of_another_term_is_another_document(tmp_path: Path) -> None:
    """01-HD/TW exists in 2016 and in 2021 (numbering restarts each term); "thay thế Hướng
    dẫn số 01-HD/TW, ngày 28/9/2021" ends only the 2021 one."""
    if not (REALDOCS / "huongdan06.pdf").is_file():
        pytest.skip(f"real documents not found at {REALDOCS}")
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, day in (("hd01-2016.txt", "ngày 20 tháng 10 năm 2016"), ("hd01-2021.txt", "ngày 28 tháng 9 năm 2021")):
        (folder / name).write_text(f"""{MARKER}
BAN CHẤP HÀNH TRUNG ƯƠNG
Số 01-HD/TW
Hà Nội, {day}
HƯỚNG DẪN
một số vấn đề cụ thể thi hành Điều lệ Đảng
1. Tuổi đời của người vào Đảng
Người vào Đảng phải đủ 18 tuổi.
""", encoding="utf-8")
    rows = _rows(_build([folder, REALDOCS / "huongdan06.pdf"], tmp_path / "store"))
    assert (rows["hd01-2021.txt"]["status"], rows["hd01-2021.txt"]["replaced_by"]) == ("replaced", ["06-HD/TW"])
    assert (rows["hd01-2016.txt"]["status"], rows["hd01-2016.txt"]["replaced_by"]) == ("in_force", [])
    assert (rows["huongdan06.pdf"]["status"], rows["huongdan06.pdf"]["replaces"]) == ("in_force", ["01-HD/TW"])
