"""Shared fixtures: embedders (a deterministic fake and the real offline model, loaded once),
the shipped samples, the seed articles, and a small knowledge folder written into tmp_path.

The documents below are invented for tests: their numbers look like real Party numbers so
that number lookup is exercised, but their content is fictional (see the marker line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tuyengiao.tables  # noqa: F401  (every table registered, as the entry point does)

from knowledge.embedder import EmbedderConfig, HashingEmbedder, SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[1]
MARKER = "(VĂN BẢN MẪU – chỉ dùng để thử nghiệm, không phải văn bản chính thức)"

CHI_THI_05 = f"""{MARKER}
ĐẢNG CỘNG SẢN VIỆT NAM
BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 05-CT/TW
Hà Nội, ngày 15 tháng 5 năm 2016

CHỈ THỊ
của Bộ Chính trị
về tăng cường công tác tuyên truyền phòng, chống thiên tai ở cơ sở

Thời gian qua, công tác tuyên truyền phòng, chống thiên tai đã được các cấp ủy quan tâm. Tuy nhiên, ở một số nơi việc cảnh báo sớm cho người dân vùng ven biển còn chậm, lực lượng xung kích ở thôn, bản chưa được tập huấn thường xuyên.

I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về phòng, chống thiên tai, chủ động ứng phó với bão, lũ, sạt lở đất.
2. Việc tuyên truyền phải kịp thời, sát với từng địa bàn, dễ hiểu với đồng bào dân tộc thiểu số.

II. NHIỆM VỤ, GIẢI PHÁP
1. Đổi mới nội dung, hình thức tuyên truyền
a) Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ ít nhất mỗi quý một lần.
b) Phát huy hệ thống loa truyền thanh cơ sở và nhóm Zalo của khu dân cư để phát cảnh báo bão lũ.
2. Kiện toàn lực lượng xung kích
a) Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai được tập huấn hằng năm.
b) Đảng viên gương mẫu tham gia sơ tán người dân khỏi vùng nguy hiểm.

III. TỔ CHỨC THỰC HIỆN
1. Ban Tuyên giáo Trung ương chủ trì hướng dẫn, theo dõi việc thực hiện Chỉ thị.
2. Các tỉnh ủy, thành ủy báo cáo kết quả thực hiện trước ngày 15 tháng 12 hằng năm.
"""

NGHI_QUYET_57 = f"""{MARKER}
ĐẢNG CỘNG SẢN VIỆT NAM
BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 57-NQ/TW
Hà Nội, ngày 22 tháng 12 năm 2024

NGHỊ QUYẾT
của Bộ Chính trị
về phát triển thư viện số và văn hóa đọc ở cơ sở

I. TÌNH HÌNH VÀ NGUYÊN NHÂN
Thư viện ở nhiều xã còn nghèo nàn, sách cũ, ít người đọc; việc số hóa tài liệu chậm, chưa kết nối được với thư viện số của tỉnh.

II. QUAN ĐIỂM, MỤC TIÊU
1. Phát triển văn hóa đọc là nhiệm vụ lâu dài của cả hệ thống chính trị.
2. Đến năm 2030, mỗi xã có một điểm thư viện số kết nối với thư viện tỉnh; mỗi trường học có tủ sách điện tử.

III. NHIỆM VỤ, GIẢI PHÁP
1. Số hóa tài liệu và kết nối thư viện số
a) Số hóa sách, báo, tài liệu lịch sử Đảng bộ địa phương, đưa lên thư viện số dùng chung.
b) Hướng dẫn người dân, nhất là thanh niên, tra cứu tài liệu trên thư viện số bằng điện thoại.
2. Khuyến khích văn hóa đọc trong đảng viên
Mỗi chi bộ tổ chức giới thiệu sách trong sinh hoạt chuyên đề ít nhất hai lần mỗi năm.
"""

KET_LUAN_01 = f"""{MARKER}
ĐẢNG BỘ TỈNH MINH SƠN
TỈNH ỦY
*
Số 01-KL/TU
Minh Sơn, ngày 10 tháng 1 năm 2022

KẾT LUẬN
của Ban Thường vụ Tỉnh ủy
về công tác nắm bắt, định hướng dư luận xã hội

I. KẾT QUẢ
Mạng lưới cộng tác viên dư luận xã hội đã phản ánh kịp thời tâm trạng của nhân dân về giá cả, việc làm và đất đai.

II. NHIỆM VỤ TRONG THỜI GIAN TỚI
1. Kiện toàn mạng lưới cộng tác viên dư luận xã hội đến từng chi bộ, mỗi chi bộ có ít nhất một cộng tác viên.
2. Các huyện ủy gửi báo cáo dư luận xã hội hằng tháng về Ban Tuyên giáo Tỉnh ủy trước ngày 20.
3. Kịp thời phản bác thông tin sai lệch trên mạng xã hội, không để hình thành điểm nóng.
"""

DOCUMENTS: dict[str, str] = {
    "chi-thi-05-CT-TW.txt": CHI_THI_05,
    "nghi-quyet-57-NQ-TW.txt": NGHI_QUYET_57,
    "ket-luan-01-KL-TU.txt": KET_LUAN_01,
}


def write_documents(folder: Path, documents: dict[str, str] | None = None) -> Path:
    """Write the sample documents (or the given ones) into folder; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (DOCUMENTS if documents is None else documents).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def write_knowledge() -> Callable[..., Path]:
    """write_knowledge(folder, documents=None) -> folder, for tests that need several folders."""
    return write_documents


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A small, realistic knowledge folder: Chỉ thị 05-CT/TW, Nghị quyết 57-NQ/TW, Kết luận 01-KL/TU."""
    return write_documents(tmp_path / "knowledge")


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled offline all-MiniLM-L6-v2, loaded once per session (mark tests `model`)."""
    return SentenceTransformerEmbedder(EmbedderConfig())


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return REPO / "knowledge" / "samples"


@pytest.fixture(scope="session")
def realdocs_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """../shared/realdocs indexed once per session with the hashing embedder (metadata,
    chunks and validity do not depend on the model): (BuildReport, store folder)."""
    from indexer.build import build_store

    realdocs = REPO.parent / "shared" / "realdocs"
    if not realdocs.is_dir():
        pytest.skip(f"real documents not found at {realdocs}")
    store = tmp_path_factory.mktemp("realdocs") / "store"
    return build_store([realdocs], store, HashingEmbedder()), store


@pytest.fixture
def seeds_dir() -> Path:
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"seed articles not found at {seeds}")
    return seeds


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A real database with today's tables, once as a SQLite file and once on the session's
    PostgreSQL server (for what several processes share: claims, leases, upserts)."""
    from bot.storage.database import Database

    url = (f"sqlite:///{tmp_path / 'bot.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres").create_database())
    db = Database.open(url)
    db.create_all()
    yield db
    db.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """One real PostgreSQL server for the session, shared by every folder's tests (skipped,
    with the reason, only when it cannot be started on this machine)."""
    from tests.postgres_server import PostgresServer, PostgresUnavailable

    server = None
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        if server is not None:
            server.stop()
        pytest.skip(f"PostgreSQL server could not be started: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def samples_store(tmp_path_factory: pytest.TempPathFactory,
                  real_embedder: SentenceTransformerEmbedder) -> Path:
    """knowledge/samples/documents indexed once per session as `make run` does (the real
    offline model, its query encoder exported beside the store): what the guides' sessions
    ran on."""
    from indexer.build import build_store
    from knowledge.onnx_export import ensure_exported

    store = tmp_path_factory.mktemp("samples") / "store"
    build_store([REPO / "knowledge" / "samples" / "documents"], store, real_embedder)
    ensure_exported(real_embedder, store / "encoders")
    return store
