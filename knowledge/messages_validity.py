"""What the assistant says about a document's validity (Vietnamese, beside `messages`).

A document view shows its status and chain ("Hiệu lực: …", "Thay thế: …"); an answer that
quotes a document no longer in force says so and names what replaced it. The status itself is
resolved at build time (`knowledge.relations`, `indexer.validity`).
"""

from __future__ import annotations

from datetime import date

from knowledge.relations import DocLink, Validity

VALIDITY = "Hiệu lực"
IN_FORCE_DECLARED = "còn hiệu lực"
IN_FORCE_UNKNOWN = "kho chưa có văn bản nào thay thế, bãi bỏ văn bản này"
EFFECTIVE_FROM = "có hiệu lực từ ngày {day}"
AMENDED = "còn hiệu lực, đã được sửa đổi, bổ sung bởi {links}"
REPLACED = "hết hiệu lực{since}, được thay thế bởi {links}"
REPEALED = "hết hiệu lực{since}, bị bãi bỏ theo {links}"
EXPIRED = "hết hiệu lực{since}"
SINCE = " từ ngày {day}"
NOT_IN_STORE = "chưa có trong kho"
CURRENT = "Văn bản đang có hiệu lực"
# The chain, one line each (a document view).
CHAIN_LABELS = (
    ("replaces", "Thay thế"),
    ("repeals", "Bãi bỏ"),
    ("amends", "Sửa đổi, bổ sung"),
)

# An answer quoting a document that is no longer in force, or has been amended.
ANSWER_NOT_IN_FORCE = "⚠ Đoạn {passages} trích từ {label}, văn bản đã {status}."
ANSWER_CURRENT = " Văn bản đang có hiệu lực: {links}."
ANSWER_AMENDED = (
    "Lưu ý: {label} (đoạn {passages}) đã được sửa đổi, bổ sung bởi {links}; nội dung trích "
    "dẫn có thể đã được sửa đổi."
)
CITATION_NOT_IN_FORCE = "đã hết hiệu lực"


def day_text(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def link_text(link: DocLink) -> str:
    """"Hướng dẫn 06-HD/TW ngày 09/06/2025", "(chưa có trong kho)" when only named."""
    text = link.label
    if link.issued:
        text += f" ngày {day_text(link.issued)}"
    if not link.in_store:
        text += f" ({NOT_IN_STORE})"
    return text


def links_text(links: tuple[DocLink, ...]) -> str:
    return ", ".join(link_text(link) for link in links)


def status_text(validity: Validity) -> str:
    """The status as a member reads it: "hết hiệu lực từ ngày 09/06/2025, đã được thay thế
    bởi Hướng dẫn 06-HD/TW ngày 09/06/2025"."""
    since = SINCE.format(day=day_text(validity.ended)) if validity.ended else ""
    if validity.status == "replaced" and validity.replaced_by:
        return REPLACED.format(since=since, links=links_text(validity.replaced_by))
    if validity.status == "repealed" and validity.repealed_by:
        return REPEALED.format(since=since, links=links_text(validity.repealed_by))
    if validity.status in ("replaced", "repealed", "expired"):
        return EXPIRED.format(since=since)
    if validity.status == "amended" and validity.amended_by:
        return AMENDED.format(links=links_text(validity.amended_by))
    parts = []
    if validity.declared in ("in_force", "amended"):
        parts.append(IN_FORCE_DECLARED)
    if validity.effective:
        parts.append(EFFECTIVE_FROM.format(day=day_text(validity.effective)))
    if validity.declared is None:
        parts.append(IN_FORCE_UNKNOWN)
    return "; ".join(parts)


def validity_facts(validity: Validity) -> list[tuple[str, str]]:
    """(label, value) lines for a document view: the status, then its chain."""
    facts = [(VALIDITY, status_text(validity))]
    for name, label in CHAIN_LABELS:
        links = getattr(validity, name)
        if links:
            facts.append((label, links_text(links)))
    direct = {link.doc_id for link in validity.replaced_by + validity.repealed_by}
    if validity.current and any(link.doc_id not in direct for link in validity.current):
        facts.append((CURRENT, links_text(validity.current)))
    return facts


def answer_notes(quoted: list[tuple[str, Validity, list[int]]]) -> list[str]:
    """One note per quoted document no longer in force (or amended): (label, validity,
    passage numbers) in the answer's order."""
    notes = []
    for label, validity, passages in quoted:
        numbers = ", ".join(f"[{n}]" for n in passages)
        if validity.status in ("replaced", "repealed", "expired"):
            note = ANSWER_NOT_IN_FORCE.format(passages=numbers, label=label, status=status_text(validity))
            direct = {link.doc_id for link in validity.replaced_by + validity.repealed_by}
            if validity.current and any(link.doc_id not in direct for link in validity.current):
                note += ANSWER_CURRENT.format(links=links_text(validity.current))
            notes.append(note)
        elif validity.status == "amended" and validity.amended_by:
            notes.append(ANSWER_AMENDED.format(label=label, passages=numbers,
                                               links=links_text(validity.amended_by)))
    return notes
