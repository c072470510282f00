"""Synthetic but realistic Vietnamese text for the benchmarks (shared by the bench scripts).

Paragraphs and sentences come from the press articles in ../shared/seeds/ and the sample
documents in knowledge/samples/; they are recombined, with a seeded random generator, into
official-looking documents ("Số NN-CT/TU", "ngày ... tháng ... năm ...", "CHỈ THỊ", sections
"I.", items "1.", points "a)") or into standalone chunk texts.
"""

from __future__ import annotations

import random
import resource
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.text import normalize  # noqa: E402

SEED_DIRS = (REPO.parent / "shared" / "seeds", REPO / "knowledge" / "samples")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ])")
_LIST_MARK = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|-|\*|•)\s*")

PROVINCES = ("Minh Sơn", "Đắk Lắk", "Nghệ An", "Thái Bình", "Hà Giang", "Cà Mau", "Lâm Đồng",
             "Quảng Trị", "Bình Định", "Yên Bái", "An Giang", "Hòa Bình")
SECTION_HEADINGS = ("MỤC ĐÍCH, YÊU CẦU", "NHIỆM VỤ, GIẢI PHÁP", "TỔ CHỨC THỰC HIỆN",
                    "NỘI DUNG TUYÊN TRUYỀN", "HÌNH THỨC TUYÊN TRUYỀN", "KẾT QUẢ ĐẠT ĐƯỢC",
                    "HẠN CHẾ, NGUYÊN NHÂN", "PHƯƠNG HƯỚNG THỜI GIAN TỚI", "KIẾN NGHỊ, ĐỀ XUẤT")
TOPICS = ("tăng cường công tác tuyên truyền chuyển đổi số", "nâng cao chất lượng sinh hoạt chi bộ",
          "đổi mới công tác tuyên giáo ở cơ sở", "bảo vệ nền tảng tư tưởng của Đảng",
          "học tập, quán triệt nghị quyết của Đảng", "nắm bắt, định hướng dư luận xã hội",
          "phát triển đội ngũ báo cáo viên, tuyên truyền viên", "xây dựng văn hóa công sở",
          "tuyên truyền cải cách hành chính", "phòng, chống tham nhũng, tiêu cực")
DOC_KINDS = (("CHỈ THỊ", "CT/TU"), ("NGHỊ QUYẾT", "NQ/TU"), ("KẾ HOẠCH", "KH/BTGTU"),
             ("KẾT LUẬN", "KL/TU"), ("QUY ĐỊNH", "QĐ/TU"), ("HƯỚNG DẪN", "HD/BTGTU"))


def _seed_files() -> list[Path]:
    files = []
    for folder in SEED_DIRS:
        files.extend(sorted(folder.rglob("*.txt")))
    return files


def load_pool() -> tuple[list[str], list[str]]:
    """(paragraphs, sentences) of real Vietnamese prose, normalised, de-duplicated."""
    paragraphs: list[str] = []
    for path in _seed_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _LIST_MARK.sub("", normalize(line).strip())
            if len(line) >= 80 and line not in paragraphs:
                paragraphs.append(line)
    sentences = list(dict.fromkeys(
        s.strip() for p in paragraphs for s in _SENTENCE_END.split(p) if len(s.strip()) >= 40
    ))
    if not paragraphs:
        raise SystemExit(f"no seed text found under {SEED_DIRS}")
    return paragraphs, sentences


class Corpus:
    def __init__(self, seed: int = 20261124) -> None:
        self.rng = random.Random(seed)
        self.paragraphs, self.sentences = load_pool()

    def _sentence(self) -> str:
        return self.rng.choice(self.sentences)

    def _paragraph(self) -> str:
        # A real paragraph, sometimes with a sentence of another one appended: more variety.
        text = self.rng.choice(self.paragraphs)
        if self.rng.random() < 0.4:
            text += " " + self._sentence()
        return text

    def document(self, index: int) -> str:
        """One official-looking document; `index` makes its number unique."""
        rng = self.rng
        kind, suffix = DOC_KINDS[0] if rng.random() < 0.6 else rng.choice(DOC_KINDS)
        province = rng.choice(PROVINCES)
        year = rng.randint(2016, 2025)
        number = f"{index + 1:02d}-{suffix}"
        lines = [
            "ĐẢNG CỘNG SẢN VIỆT NAM", f"TỈNH ỦY {province.upper()}", "*", f"Số {number}",
            f"{province}, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm {year}", "",
            kind, "của Ban Thường vụ Tỉnh ủy", f"về {rng.choice(TOPICS)}", "",
            self._paragraph(), "",
        ]
        romans = ["I", "II", "III", "IV", "V"]
        for s, heading in enumerate(rng.sample(SECTION_HEADINGS, rng.randint(2, 3))):
            lines.append(f"{romans[s]}. {heading}")
            for n in range(1, rng.randint(1, 3) + 1):
                lines.append(f"{n}. {self._sentence()}")
                if rng.random() < 0.5:
                    for letter in "abc"[: rng.randint(1, 3)]:
                        lines.append(f"{letter}) {self._paragraph() if rng.random() < 0.25 else self._sentence()}")
                else:
                    lines.append(self._paragraph())
            lines.append("")
        lines += ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "", "Nơi nhận:", "- Như trên,", "- Lưu VP."]
        return "\n".join(lines) + "\n"

    def write_documents(self, folder: Path, count: int) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in range(count):
            path = folder / f"van-ban-{i:05d}.txt"
            path.write_text(self.document(i), encoding="utf-8")
            paths.append(path)
        return paths

    def chunk_text(self, min_sentences: int = 2, max_sentences: int = 5) -> str:
        return " ".join(self._sentence() for _ in range(self.rng.randint(min_sentences, max_sentences)))


@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then t[0] is the elapsed (wall) seconds and t[1] the CPU
    seconds of this process, all threads (less sensitive to other processes on the machine)."""
    box = [0.0, 0.0]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield box
    finally:
        box[0], box[1] = time.perf_counter() - start, time.process_time() - cpu


def machine_note() -> str:
    """Cores and load average, printed with the figures: this machine is shared and noisy."""
    import os

    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def load_real_embedder():  # -> SentenceTransformerEmbedder
    import torch

    from knowledge.embedder import EmbedderConfig, SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(EmbedderConfig())
    # Warm-up (not timed), at short and full-window lengths: first calls pay one-off costs.
    long_text = " ".join(load_pool()[0][:6])
    embedder.embed(["khởi động mô hình"] * 4 + [long_text] * 8, kind="passage")
    print(f"model {embedder.name}: dimension {embedder.dimension}, window {embedder.max_tokens} "
          f"tokens, batch {embedder.batch_size}; torch threads {torch.get_num_threads()}")
    return embedder


def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM (Linux). ru_maxrss is not used where VmHWM
    exists: Linux carries it over from the parent across fork+exec, so a child would report
    the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
