"""Corpus-adapted embeddings (knowledge/adaptation.py, `tuyengiao adapt`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.adaptation import (
    CLAIM,
    MANIFEST,
    AdaptationError,
    AdaptationOptions,
    adapt,
    claim_folder,
    training_pairs,
)
from knowledge.embedder import EmbedderConfig, SentenceTransformerEmbedder, known_prefixes
from knowledge.passages import Chunk
from tuyengiao.cli import main

REPO = Path(__file__).resolve().parents[2]


def chunk(text: str, headings: tuple[str, ...] = (), ordinal: int = 0) -> Chunk:
    return Chunk(doc_id="d", ordinal=ordinal, headings=headings, text=text)


BODY = "Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước"


def test_pairs_take_title_lines_and_meaningful_headings() -> None:
    chunks = [
        # A law article: its title line names it.
        chunk(f"Quyền đơn phương chấm dứt hợp đồng của người lao động\n{BODY}"),
        # No title line (the first line is a sentence of 40 words), a meaningful heading.
        chunk(" ".join(["từ"] * 40) + f"\n{BODY}", headings=("II. NHIỆM VỤ, GIẢI PHÁP",)),
        # A bare item number as heading and no title line: nothing.
        chunk(BODY, headings=("1.",)),
        # A note in parentheses and a document-type line are not titles.
        chunk(f"(Văn bản mẫu, không phải văn bản chính thức)\n{BODY}"),
        chunk(f"CHỈ THỊ\n{BODY}"),
        # A title with too little under it.
        chunk("Hiệu lực thi hành\nLuật này có hiệu lực."),
    ]
    assert training_pairs(chunks) == [
        ("Quyền đơn phương chấm dứt hợp đồng của người lao động", BODY),
        ("II. NHIỆM VỤ, GIẢI PHÁP", " ".join(["từ"] * 40) + f"\n{BODY}"),
    ]


def test_a_heading_naming_several_passages_gives_no_pair() -> None:
    repeated = "Phạm tội thuộc một trong các trường hợp sau đây"
    chunks = [
        chunk(f"{repeated}\n{BODY} thứ nhất", ordinal=0),
        chunk(f"{repeated.upper()}\n{BODY} thứ hai", ordinal=1),  # same words, other case
        chunk(f"Thời hạn báo trước\n{BODY}", ordinal=2),
    ]
    assert training_pairs(chunks) == [("Thời hạn báo trước", BODY)]


def test_refuses_a_folder_in_use_and_too_few_pairs(tmp_path: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "model.safetensors").write_bytes(b"old")
    with pytest.raises(AdaptationError, match="not empty"):
        adapt(object(), [("a b", BODY)] * 40, used, base_name="x")
    with pytest.raises(AdaptationError, match="at least 32"):
        adapt(object(), [("a b", BODY)] * 5, tmp_path / "new", base_name="x")
    assert (used / "model.safetensors").read_bytes() == b"old"
    assert not (tmp_path / "new").exists()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(AdaptationError, match="is a file"):
        adapt(object(), [("a b", BODY)] * 40, tmp_path / "a-file", base_name="x")


def test_one_run_per_folder_and_no_half_written_model(tmp_path: Path) -> None:
    out = tmp_path / "models" / "adapted"
    claim_folder(out)
    assert [p.name for p in out.iterdir()] == [CLAIM]
    with pytest.raises(AdaptationError, match="being written by another adapt run"):
        claim_folder(out)  # a second run started at the same time
    # A run that fails mid-way (here: no model at all) leaves no folder behind.
    with pytest.raises(AttributeError):
        adapt(object(), [("a b", BODY)] * 40, tmp_path / "failed", base_name="x")
    assert not (tmp_path / "failed").exists()


def test_an_adapted_model_keeps_the_prefixes_it_was_trained_with(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(
        json.dumps({"query_prefix": "query: ", "passage_prefix": "passage: "}), encoding="utf-8"
    )
    assert known_prefixes(str(tmp_path)) == ("query: ", "passage: ")
    assert known_prefixes(str(tmp_path / "e5-small")) == ("query: ", "passage: ")  # by family
    assert known_prefixes("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def _mean_rank(embedder: SentenceTransformerEmbedder, pairs: list[tuple[str, str]]) -> float:
    """Mean rank (1 = first) of each heading's own passage among all the passages."""
    q = embedder.embed([h for h, _ in pairs], kind="query")
    p = embedder.embed([b for _, b in pairs], kind="passage")
    sims = q @ p.T
    own = np.diag(sims)
    return float(np.mean((sims > own[:, None]).sum(axis=1) + 1))


# Headings and passages of the kind a store holds (written for this test: regulations and
# guidance in the Party's wording).
SECTIONS = {
    "Thời hạn gửi báo cáo tháng": "Báo cáo tháng gửi về Ban Tuyên giáo trước ngày 20 hằng tháng; "
    "báo cáo quý gửi trước ngày 20 của tháng cuối quý.",
    "Hình thức sinh hoạt chi bộ chuyên đề": "Chi bộ sinh hoạt chuyên đề ít nhất mỗi quý một lần, "
    "nội dung do chi ủy chuẩn bị và thông báo trước cho đảng viên.",
    "Đảng phí của đảng viên nghỉ hưu": "Đảng viên hưởng lương hưu đóng đảng phí bằng 0,5% tiền "
    "lương hưu hằng tháng, nộp cho chi bộ nơi sinh hoạt.",
    "Xóa tên đảng viên bỏ sinh hoạt": "Đảng viên bỏ sinh hoạt chi bộ ba tháng trong năm không có "
    "lý do chính đáng thì chi bộ xem xét, đề nghị xóa tên trong danh sách đảng viên.",
    "Tuyên truyền trên mạng xã hội": "Cán bộ, đảng viên chia sẻ thông tin chính thống, phản bác "
    "quan điểm sai trái, không đăng tải thông tin chưa được kiểm chứng trên mạng xã hội.",
    "Kết nạp quần chúng ưu tú": "Chi bộ giới thiệu quần chúng ưu tú học lớp bồi dưỡng nhận thức "
    "về Đảng, phân công đảng viên chính thức giúp đỡ quần chúng phấn đấu vào Đảng.",
    "Chuyển sinh hoạt đảng tạm thời": "Đảng viên đi học tập, công tác dưới một năm thì làm thủ "
    "tục chuyển sinh hoạt đảng tạm thời đến tổ chức đảng nơi đến.",
    "Khen thưởng tổ chức đảng trong sạch vững mạnh": "Hằng năm cấp ủy cấp trên xét tặng giấy "
    "khen cho tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ năm năm liền.",
}


@pytest.mark.model
def test_adapting_brings_each_heading_closer_to_its_own_passage(tmp_path: Path) -> None:
    pairs = list(SECTIONS.items())
    base = SentenceTransformerEmbedder(EmbedderConfig())  # its own copy: training changes it
    before = _mean_rank(base, pairs)
    out = tmp_path / "adapted"
    options = AdaptationOptions(epochs=6, batch_size=8, learning_rate=1e-4, max_tokens=64)
    report = adapt(base.model, pairs, out, base_name=base.name, options=options,
                   record={"store": "/srv/store", "store_version": "v1"})

    assert report.pairs == 8 and report.steps == 6  # one batch of 8 per epoch
    assert report.last_loss < report.first_loss
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["pairs"] == 8 and manifest["options"]["epochs"] == 6
    assert manifest["store"] == "/srv/store" and manifest["store_version"] == "v1"
    assert not (out / CLAIM).exists()
    assert (out / "README.md").read_text(encoding="utf-8").startswith(
        "# Adapted from sentence-transformers/all-MiniLM-L6-v2")
    adapted = SentenceTransformerEmbedder(EmbedderConfig(model=str(out)))
    assert adapted.dimension == 384 and adapted.max_tokens == base.max_tokens
    after = _mean_rank(adapted, pairs)
    assert after < before, (before, after)
    assert after == 1.0  # every heading now finds its own passage first


def test_cli_says_why_it_cannot_adapt_before_loading_any_model(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    from indexer.build import build_store

    monkeypatch.chdir(tmp_path)  # no developer .env changes what the command does
    # An unloadable model: any path that reached it would fail differently.
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path / "no-model-here"))
    assert main(["adapt", "--store", str(tmp_path / "none")]) == 2
    assert "no published store" in capsys.readouterr().err
    assert main(["adapt", "--store", str(tmp_path / "none"), "--epochs", "0"]) == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err

    store = tmp_path / "store"
    build_store([REPO / "knowledge" / "samples" / "documents"], store, hashing_embedder)
    assert main(["adapt", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err == "cannot adapt: 15 heading/passage pairs: at least 32 are needed (index more documents first)\n"
    assert not (store / "models").exists()


@pytest.mark.model
def test_run_check_names_a_store_built_with_another_model(
        tmp_path: Path, samples_store: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    """What an operator who set EMBEDDING_MODEL to an adapted model and re-indexed another
    store (or none) would otherwise not see: dense search is off on this one."""
    from indexer.build import build_store

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("ENCODER_CACHE_DIR", str(samples_store / "encoders"))
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.setenv(name, "")
    store = tmp_path / "store"
    build_store([REPO / "knowledge" / "samples" / "documents"], store, hashing_embedder)
    assert main(["run", "--check", "--store", str(store)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"problem: store {store} was built with hashing-64 (64 dims), not EMBEDDING_MODEL "
        "sentence-transformers/all-MiniLM-L6-v2: dense search stays off until "
        f"`tuyengiao index PATH... --store {store}` embeds it again"
    ]


def test_a_model_folder_that_is_not_there_is_one_line_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    from indexer.build import build_store

    monkeypatch.chdir(tmp_path)
    build_store([REPO / "knowledge" / "samples" / "documents"], tmp_path / "store",
                hashing_embedder)
    missing = tmp_path / "models" / "adapted-gone"
    monkeypatch.setenv("EMBEDDING_MODEL", str(missing))
    assert main(["search", "sinh hoạt chi bộ", "--store", str(tmp_path / "store")]) == 2
    assert capsys.readouterr().err == (
        f"tuyengiao search: EMBEDDING_MODEL={missing}: no such model folder\n")


@pytest.mark.model
def test_cli_trains_into_a_claimed_folder_under_the_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    """The whole command on a store of 40 titled articles (one training step of 32 pairs)."""
    from indexer.build import build_store

    monkeypatch.chdir(tmp_path)
    units = ["chi bộ", "đảng ủy xã", "huyện ủy", "ban tuyên giáo", "đoàn thanh niên"]
    works = ["báo cáo tháng", "sinh hoạt chuyên đề", "học tập nghị quyết", "thu đảng phí",
             "kết nạp đảng viên", "khen thưởng", "phát triển đảng viên", "kiểm tra, giám sát"]
    articles = [
        f"Điều {i + 1}. Trách nhiệm của {unit} về {work}\n"
        f"Hằng năm {unit} xây dựng kế hoạch {work}, phân công người theo dõi, tổng hợp kết quả "
        f"và báo cáo cấp ủy cấp trên trước ngày {i % 28 + 1} tháng cuối quý."
        for i, (unit, work) in enumerate((u, w) for u in units for w in works)
    ]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "quy-dinh.txt").write_text("QUY ĐỊNH\nvề trách nhiệm các cấp\n\n" +
                                       "\n\n".join(articles), encoding="utf-8")
    store = tmp_path / "store"
    build_store([docs], store, hashing_embedder)

    assert main(["adapt", "--store", str(store)]) == 0
    out, err = capsys.readouterr()
    [folder] = (store / "models").iterdir()
    assert folder.name.startswith("adapted-")
    assert (folder / "model.safetensors").is_file() and not (folder / CLAIM).exists()
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["pairs"] == 40 and manifest["steps"] == 1
    assert manifest["store"] == str(store.resolve())
    assert "note: 40 pairs is few" in err
    assert f"adapted model saved to {folder} (1 steps" in out
    assert f"next: set EMBEDDING_MODEL={folder.resolve()} in .env" in out
    assert f"`tuyengiao index PATH... --store {store}`" in out
