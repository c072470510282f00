"""The questions qa_load.py asks and how it reads the run: the question mix (in-domain
questions about the sample documents, some without diacritics, some out of domain), and the
analysis of one scenario's records (latency percentiles, the split into delivery, core and
send — `probe` is qa_load's Probe of the core's timings —, losses and duplicates). Split
from qa_load.py to keep both small."""

from __future__ import annotations

import math
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from _qa_users import ANSWER_ID_UNKNOWN

ROOT = Path(__file__).resolve().parent.parent
OUT_OF_DOMAIN = ROOT / "bench" / "data" / "out_of_domain.txt"

IN_DOMAIN = [
    "Các huyện ủy phải gửi kế hoạch thực hiện Chỉ thị 12-CT/TU trước ngày nào?",
    "Mỗi chi bộ phải sinh hoạt chuyên đề về chuyển đổi số mấy lần trong năm?",
    "Ai chủ trì bồi dưỡng kỹ năng số cho báo cáo viên, tuyên truyền viên cơ sở?",
    "Đảng viên vắng mặt buổi quán triệt Chỉ thị 12 có phải học bù không?",
    "Thời hạn học bù đối với đảng viên vắng mặt là bao lâu?",
    "Tỷ lệ đảng viên tham gia học tập, quán triệt phải đạt bao nhiêu phần trăm?",
    "Hội nghị cấp huyện quán triệt Chỉ thị 12 tổ chức vào ngày nào?",
    "Báo cáo kết quả quán triệt gửi Ban Tuyên giáo Huyện ủy trước ngày nào?",
    "Đơn vị chậm báo cáo kết quả học tập thì bị xử lý thế nào?",
    "Hạn chót gửi báo cáo theo Công văn 150-CV/BTGTU là khi nào?",
    "Báo cáo kết quả học tập Chỉ thị 12 cần nêu những nội dung gì?",
    "Sinh hoạt chi bộ chuyên đề về dư luận xã hội bao lâu một lần?",
    "Bí thư chi bộ chuẩn bị gì cho buổi sinh hoạt chuyên đề về dư luận xã hội?",
    "Đảng ủy cơ sở gửi kết quả sinh hoạt chuyên đề trước ngày nào?",
    "Cộng tác viên dư luận xã hội báo cáo hằng tháng trước ngày mấy?",
    "Vụ việc phức tạp, nổi cộm phải báo cáo nhanh trong bao lâu?",
    "Mỗi năm tổ chức bao nhiêu cuộc điều tra dư luận xã hội?",
    "Gặp bài viết xuyên tạc trên mạng xã hội thì đảng viên nên làm gì?",
    "Nhóm Zalo của chi bộ được dùng để tuyên truyền như thế nào?",
    "Ban Tuyên giáo báo cáo Ban Thường vụ Tỉnh ủy về chuyển đổi số mấy tháng một lần?",
    "Nghị quyết 21-NQ/ĐU về bảo vệ nền tảng tư tưởng của Đảng yêu cầu gì?",
    "Quy định 45-QĐ/TU về chế độ báo cáo có những loại báo cáo nào?",
    "chỉ thị 12 nói gì về chuyển đổi số",
    "Kết luận 03-KL/TU giao Ban Tuyên giáo Tỉnh ủy nhiệm vụ gì?",
    "Tài liệu quán triệt Chỉ thị 12 được gửi cho đảng viên qua đâu?",
    "Đảng viên có phải gương mẫu sử dụng dịch vụ công trực tuyến không?",
]
SHARE_UNACCENTED = 1 / 3
SHARE_OUT_OF_DOMAIN = 0.12


def out_of_domain() -> list[str]:
    return [line.strip() for line in OUT_OF_DOMAIN.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


async def refuse_overviews(knowledge: Any) -> None:
    """Stop the run if a question in the pool only names a document: the bot answers it with
    the document's overview, which carries no 👍/👎 buttons or hint, so the simulated user
    would never see that answer end (the run would wait LOSS_TIMEOUT and count it lost)."""
    from knowledge.text import fold

    pool = IN_DOMAIN + out_of_domain()
    named = [q for q in pool + [fold(q) for q in pool] if await knowledge.named_documents(q)]
    if named:
        raise SystemExit(f"questions answered by an overview, not an answer: {named}")


def make_questions(users: int, per_user: int, chat_base: int, seed: int) -> dict[str, list[str]]:
    from knowledge.text import fold

    ood = out_of_domain()
    rng = random.Random(seed)
    questions: dict[str, list[str]] = {}
    for u in range(users):
        asked: list[str] = []
        while len(asked) < per_user:
            if rng.random() < SHARE_OUT_OF_DOMAIN:
                q = rng.choice(ood)
                q = fold(q) if rng.random() < SHARE_UNACCENTED else q
            else:
                q = rng.choice(IN_DOMAIN)
                q = fold(q) if rng.random() < SHARE_UNACCENTED else q
            if q not in asked:  # one user does not repeat a question (keeps matching exact)
                asked.append(q)
        questions[str(chat_base + u)] = asked
    return questions


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (f"p50 {pct(values, 50) * 1000:7.0f}  p95 {pct(values, 95) * 1000:7.0f}  "
            f"max {max(values) * 1000:7.0f} ms")


def analyse(name: str, spec: dict[str, Any], played: dict[str, Any], rec: dict[str, Any],
            probe: Any, db: Any, bot_cpu: float, lines: list[str]) -> dict[str, Any]:
    from sqlmodel import select

    from bot.storage.models import QuestionLog
    from knowledge.text import fold, normalize

    questions: dict[str, list[str]] = spec["questions"]
    total = sum(len(q) for q in questions.values())
    with db.session() as s:
        chat_ids = QuestionLog.chat_id.in_(list(questions))  # type: ignore[attr-defined]
        logged = {row.id: row for row in s.exec(select(QuestionLog).where(chat_ids))}

    pushed: dict[tuple[int, int], tuple[int, float]] = {}  # (chat, k) -> (update_id, t)
    for chat, k, update_id, t in rec["pushes"]:
        pushed[(chat, k)] = (update_id, t)
    # A Zalo answer carries no question id: one chat's questions are logged and answered in
    # the order they are handled (its per-chat turn), so its n-th answer is its n-th logged
    # question; a wrong pairing would show as a mismatch or an out-of-order chat below.
    log_ids: dict[int, list[int]] = defaultdict(list)
    for row_id in sorted(logged):
        log_ids[int(logged[row_id].chat_id)].append(row_id)
    next_log_id = {chat: iter(ids) for chat, ids in log_ids.items()}
    by_chat: dict[int, list[tuple[float, int | None, int]]] = defaultdict(list)
    for chat, t, qid, length in rec["sends"]:
        if qid == ANSWER_ID_UNKNOWN:
            qid = next(next_log_id.get(chat, iter(())), None)
        by_chat[chat].append((t, qid, length))

    first_part: dict[tuple[int, int], float] = {}
    last_part: dict[tuple[int, int], float] = {}
    answered_flag: dict[tuple[int, int], bool] = {}
    duplicated = stray = multipart = mismatched = out_of_order_chats = 0
    for chat, sends in by_chat.items():
        asked = [normalize(q).strip() for q in questions.get(str(chat), [])]
        pending: list[float] = []
        order: list[int] = []
        for t, qid, _length in sends:
            pending.append(t)
            if qid is None:
                continue
            row = logged.get(qid)
            k = asked.index(row.text) if row is not None and row.text in asked else None
            if k is None:
                mismatched += 1
            elif (chat, k) in last_part:
                duplicated += 1
            else:
                first_part[(chat, k)] = pending[0]
                last_part[(chat, k)] = t
                answered_flag[(chat, k)] = bool(row.answered)
                order.append(k)
                multipart += len(pending) > 1
            pending = []
        stray += len(pending)  # parts never followed by an answer's last part: error messages
        out_of_order_chats += order != sorted(order)
    answers = sum(1 for s in rec["sends"] if s[1] is not None)  # messages with 👍/👎

    latencies, latencies_last, delivery, core, send = [], [], [], [], []
    parts: dict[str, list[float]] = defaultdict(list)
    handled_twice = 0
    for key, t_first in first_part.items():
        update_id, t_push = pushed[key]
        latencies.append(t_first - t_push)
        latencies_last.append(last_part[key] - t_push)
        runs = probe.runs.get(str(update_id), [])
        handled_twice += len(runs) > 1
        if runs:
            run = runs[0]
            delivery.append(run["start"] - t_push)
            core.append(run["end"] - run["start"])
            send.append(t_first - run["end"])
            for part in ("db_wait", "db_work", "ask_wait", "search_work", "embed_work"):
                parts[part].append(run.get(part, 0.0))
            parts["db_calls"].append(run.get("db_wait_calls", 0.0))
    lost = total - len(first_part)
    t0 = min(p[3] for p in rec["pushes"])
    t_end = max(last_part.values()) if last_part else t0
    span = t_end - t0
    throughput = len(first_part) / span if span > 0 else float("nan")

    # What the bot answered, per kind of question (a sanity check of the mix, not of speed).
    ood = {line.strip() for line in OUT_OF_DOMAIN.read_text(encoding="utf-8").splitlines()}
    ood |= {fold(q) for q in ood}
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    verdicts: dict[str, set[bool]] = defaultdict(set)
    for (chat, k), flag in answered_flag.items():
        q = questions[str(chat)][k]
        kind = ("out of domain" if q in ood else
                "in domain, no diacritics" if q == fold(q) else "in domain, accented")
        kinds[kind][0] += flag
        kinds[kind][1] += 1
        verdicts[q].add(flag)
    refused = sorted(q for q, v in verdicts.items() if v == {False} and q not in ood)
    unstable = sorted(q for q, v in verdicts.items() if len(v) > 1)

    lines.append(f"== {name}: {spec['describe']}")
    lines.append(
        f"questions {total}, answered replies {len(first_part)}, lost {lost}"
        f"{' (timed out)' if played['timed_out'] else ''}, duplicated {duplicated}"
        f" (answers with buttons or hint {answers} for {total} questions; not matching any question of"
        f" the chat {mismatched}), stray parts without them {stray},"
        f" updates handled twice {handled_twice}")
    lines.append(
        f"messages sent {len(rec['sends'])}, multi-part answers {multipart}; chats whose answers"
        f" came out of asking order {out_of_order_chats}/{len(questions)}")
    lines.append(f"throughput {throughput:.1f} answered questions/s over {span:.1f} s"
                 f" (first push -> last answer)")
    lines.append(f"latency update -> first part  {ms(latencies)}")
    lines.append(f"  (-> last part               {ms(latencies_last)})")
    lines.append(f"  delivery: push -> core start {ms(delivery)}")
    lines.append(f"  core: Dispatcher.handle      {ms(core)}")
    lines.append(f"  send: core end -> 1st part   {ms(send)}")
    sum_lat = sum(latencies) or float("nan")
    lines.append(f"  share of summed latency: delivery {sum(delivery) / sum_lat:.0%},"
                 f" core {sum(core) / sum_lat:.0%}, send {sum(send) / sum_lat:.0%}")
    if core:
        n = len(core)

        def mean_ms(key: str) -> float:
            return sum(parts[key]) / n * 1000
        lines.append(
            f"  in the core, mean per question: {sum(core) / n * 1000:.0f} ms ="
            f" db {mean_ms('db_wait'):.0f} ms for {sum(parts['db_calls']) / n:.1f} calls"
            f" (work in thread incl. lock waits {mean_ms('db_work'):.0f})"
            f" + knowledge.ask {mean_ms('ask_wait'):.0f} ms"
            f" (search in thread {mean_ms('search_work'):.0f}, of which query embedding"
            f" {mean_ms('embed_work'):.0f}) + the rest"
            f" {sum(core) / n * 1000 - mean_ms('db_wait') - mean_ms('ask_wait'):.0f}")
        lines.append(f"  query embedding per question {ms(parts['embed_work'])}")
        lines.append(f"  db work per question         {ms(parts['db_work'])}")
    batches = rec["batches"]
    lines.append(
        f"{spec['channel']}: handlers in flight at most {probe.max_in_flight}; getUpdates returned"
        f" {len(batches)} non-empty batches (max {max(batches, default=0)},"
        f" mean {sum(batches) / max(len(batches), 1):.1f}); sendChatAction calls"
        f" {rec['chat_actions']}")
    if rec["aborted"]:
        lines.append(f"requests the bot dropped mid-way (seen by the server): {rec['aborted']}")
    n_answers = max(len(first_part), 1)
    lines.append(f"CPU per answered question: bot process {bot_cpu / n_answers * 1000:.0f} ms,"
                 f" fake platform + users process {rec['cpu'] / n_answers * 1000:.0f} ms"
                 f" (both on the same {os.cpu_count()} CPUs)")
    lines.append("answered by the bot: " + "; ".join(
        f"{kind} {a}/{n}" for kind, (a, n) in sorted(kinds.items()))
        + f"; questions answered differently across asks (must be 0): {len(unstable)}")
    if refused:
        lines.append(f"in-domain questions refused every time ({len(refused)}): "
                     + " | ".join(refused))
    return {"throughput": throughput, "p50": pct(latencies, 50), "p95": pct(latencies, 95),
            "lost": lost, "duplicated": duplicated + mismatched, "describe": spec["describe"]}
