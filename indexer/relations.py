"""What a document says about other documents' force: replaces, amends, repeals, ends.

Read from the document's own closing provisions and title, in the wording Party and State
documents use (Hướng dẫn 36-HD/VPTW; Luật Ban hành VBQPPL 2015, Điều 154 and 156; Nghị định
30/2020/NĐ-CP): "Hướng dẫn này … thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021 …", "bãi bỏ
Quyết định số …", "sửa đổi, bổ sung một số điều của Quy định số …", "Quy định số … hết hiệu
lực kể từ ngày …", "có hiệu lực (thi hành) kể từ ngày ký / từ ngày 01/7/2025".

Only the document's own claims count: a sentence whose subject is another numbered document
("Quy định số 294-QĐ/TW thay thế …" quoted in a guide), a passive mention ("đã được sửa đổi
bởi …"), the legal bases ("Căn cứ …") and another document's title ("Luật sửa đổi, bổ sung …")
are not this document's doing. A target without a number ("các quy định trước đây trái với
Quy định này đều bãi bỏ") cannot be resolved and is left out. A claim on part of a document
("bãi bỏ khoản 2 Điều 3 của …", "thay thế Phụ lục …") amends it; it does not end it.

The operator's sidecar (or front matter) sets the same by hand: see `validity_fields`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from indexer.boilerplate import line_roles
from indexer.dates import date_in, parse_date
from indexer.header import TYPE_NAMES
from knowledge.docnumbers import canonical_number, number_spans
from knowledge.passages import DocumentMeta
from knowledge.relations import Relation, Status, Validity, with_claims
from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

MAX_QUOTE = 240

_TYPES = "|".join(sorted((re.escape(name) for name in TYPE_NAMES.values()), key=len, reverse=True))
# The verbs, as printed (documents keep their diacritics); case-insensitive.
_VERBS = re.compile(
    r"(?<!\w)(?P<verb>thay\s+thế(?:\s+cho)?|bãi\s+bỏ|sửa\s+đổi(?:\s*,\s*bổ\s+sung|\s+và\s+bổ\s+sung|\s+bổ\s+sung)?"
    r"|hết\s+hiệu\s+lực(?:\s+thi\s+hành)?)(?!\w)",
    re.IGNORECASE,
)
_KIND = {"thay": "replaces", "bai": "repeals", "sua": "amends", "het": "ends"}
_PASSIVE = re.compile(r"(?:được|bị|đã)\s*$", re.IGNORECASE)
_TYPE_BEFORE = re.compile(rf"(?:{_TYPES})\s*$", re.IGNORECASE)
_SELF = re.compile(rf"(?<!\w)(?:{_TYPES})\s+này(?!\w)", re.IGNORECASE)
_TYPE_NEAR = re.compile(rf"(?<!\w)(?P<type>{_TYPES})(?:\s+(?:số|so))?\s*:?\s*$", re.IGNORECASE)
# Words that put a claim on part of a document: "khoản 2 Điều 3 của", "một số điều của".
_PARTIAL = re.compile(
    r"(?<!\w)(?:điều|khoản|điểm|mục|chương|phần|phụ\s+lục|tiết|một\s+số|nội\s+dung|cụm\s+từ"
    r"|quy\s+định\s+tại)(?!\w)",
    re.IGNORECASE,
)
_SEGMENT_END = re.compile(r"(?<!\w)(?<!kèm\s)(?:theo|căn\s+cứ)(?!\w)", re.IGNORECASE)
# What may stand between a verb and its first target: parts of a document ("khoản 2 Điều 3
# của"), list words ("các văn bản sau đây:"), the type word. Anything else ("Bộ luật Tố tụng
# dân sự sửa đổi, bổ sung năm 2011 và Điều 16 Nghị quyết số …") means the verb was not
# followed by what it acts on. Folded words.
_LEAD_WORDS = frozenset(
    "dieu khoan diem muc chuong phan phu luc tiet mot so noi dung cum tu quy dinh tai cua cac "
    "va cho toan bo van ban sau day nhung duoc ban hanh kem theo tai".split()
    + [w for name in TYPE_NAMES for w in name.split()]
)
_PREAMBLE = re.compile(r"^[-–+•]?\s*(?:căn\s+cứ|xét|theo\s+đề\s+nghị|trích\s+yếu)(?!\w)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-–+•]|[a-zđ]\)|\d{1,2}[.)])\s*")
_EFFECTIVE = re.compile(
    r"(?<!\w)có\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+(?:ngày\s+)?(?P<when>ký|ban\s+hành|.{0,30})",
    re.IGNORECASE,
)

# Sidecar / front matter keys (English or Vietnamese without marks) -> what they set.
_STATUS_KEYS = ("status", "hieu_luc", "tinh_trang", "tinh_trang_hieu_luc")
_LINK_KEYS = {
    "replaces": "replaces", "thay_the": "replaces",
    "amends": "amends", "sua_doi": "amends", "sua_doi_bo_sung": "amends",
    "repeals": "repeals", "bai_bo": "repeals",
    "replaced_by": "replaced_by", "thay_the_boi": "replaced_by", "bi_thay_the_boi": "replaced_by",
    "amended_by": "amended_by", "sua_doi_boi": "amended_by",
    "repealed_by": "repealed_by", "bai_bo_boi": "repealed_by",
}
_DATE_KEYS = {"effective": "effective", "hieu_luc_tu": "effective", "ngay_hieu_luc": "effective",
              "expires": "declared_end", "het_hieu_luc": "declared_end",
              "ngay_het_hieu_luc": "declared_end"}
# Status values as officers write them, folded -> status.
STATUS_WORDS: dict[str, Status] = {
    "in_force": "in_force", "in force": "in_force", "con hieu luc": "in_force", "hieu luc": "in_force",
    "amended": "amended", "sua doi": "amended", "da sua doi": "amended", "duoc sua doi": "amended",
    "sua doi, bo sung": "amended", "da duoc sua doi, bo sung": "amended",
    "replaced": "replaced", "thay the": "replaced", "bi thay the": "replaced", "da thay the": "replaced",
    "da bi thay the": "replaced", "da duoc thay the": "replaced",
    "repealed": "repealed", "bai bo": "repealed", "bi bai bo": "repealed", "da bi bai bo": "repealed",
    "expired": "expired", "het hieu luc": "expired", "da het hieu luc": "expired",
}


def read_validity(text: str, meta: DocumentMeta, *, whole_document: bool = True) -> DocumentMeta:
    """`meta` with its validity claims: the operator's fields (taken out of `meta.extra`) and,
    for a whole document, what its title and text say. Unusable fields become warnings."""
    validity, extra, warnings = validity_fields(meta.extra)
    if whole_document:
        found = relations_in_text(text, meta)
        validity = with_claims(validity, found.claims)
        if validity.effective is None:
            validity = with_claims(validity, (), effective=found.effective)
    if validity == meta.validity and not warnings:
        return meta
    return replace(meta, validity=validity, extra=extra, warnings=meta.warnings + tuple(warnings))


def relations_in_text(text: str, meta: DocumentMeta) -> Validity:
    """The claims of a document's title and text, and when it takes effect."""
    claims: list[Relation] = []
    if meta.title and _VERBS.match(meta.title):  # "Sửa đổi, bổ sung một số điều của Quy định …"
        claims += _clause_claims(meta.title, meta)
    effective: date | None = None
    for clause in _clauses(text):
        claims += _clause_claims(clause, meta)
        if effective is None:
            effective = _effective(clause, meta)
    return Validity(claims=tuple(dict.fromkeys(claims)), effective=effective)


def _clauses(text: str) -> list[str]:
    """Content sentences and clauses: wrapped lines joined, boilerplate and legal bases left
    out, a clause ending in ":" joined with the list items under it."""
    lines = [normalize(line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    roles = line_roles(lines)
    paragraphs: list[str] = []
    for line, role in zip(lines, roles):
        if role is not None:
            continue
        if paragraphs and not re.search(r"[.;:!?]$", paragraphs[-1]) and line[:1].islower():
            paragraphs[-1] += " " + line  # a line the PDF wrapped
        else:
            paragraphs.append(line)
    clauses: list[str] = []
    open_list = False
    for paragraph in paragraphs:
        if _PREAMBLE.match(paragraph):
            open_list = False
            continue
        if open_list and _LIST_ITEM.match(paragraph):
            clauses[-1] += " " + paragraph
            continue
        parts = [p.strip() for p in re.split(r";\s*|\.\s+(?=[A-ZĐÀ-Ỹ])", paragraph) if p.strip()]
        clauses.extend(parts)
        open_list = bool(parts) and parts[-1].endswith(":")
    return clauses


def _clause_claims(clause: str, meta: DocumentMeta) -> list[Relation]:
    verbs = list(_VERBS.finditer(clause))
    out: list[Relation] = []
    for i, m in enumerate(verbs):
        kind = _KIND[fold(m["verb"]).split()[0]]
        before = clause[: m.start()]
        if kind != "ends" and _TYPE_BEFORE.search(before):
            continue  # "Luật sửa đổi, bổ sung …": another document's title
        subject = _subject(before, meta)
        passive = bool(_PASSIVE.search(before))
        if kind == "ends" or (passive and kind == "repeals"):
            # "Quy định số 29-QĐ/TW … hết hiệu lực", "Quyết định số … bị bãi bỏ": the targets
            # are the subject; "… này hết hiệu lực khi …" speaks of itself.
            if subject == "self" or not subject:
                if m.end() < len(clause) and clause.rstrip().endswith(":"):
                    out += _targets(clause[m.end() :], kind, meta, clause)  # "… hết hiệu lực:" + list
                continue
            start = _clause_start(before)
            out += _targets(before[start:], kind, meta, clause)
            continue
        if passive or (subject and subject != "self"):
            continue  # "đã được thay thế bởi …", "Quy định số 294 thay thế …": not its claim
        end = verbs[i + 1].start() if i + 1 < len(verbs) else len(clause)
        out += _targets(clause[m.end() : end], kind, meta, clause)
    return out


def _subject(before: str, meta: DocumentMeta) -> str | list[str]:
    """Who does the verb: "self" ("Hướng dẫn này …"), the other numbers before it, or ""."""
    start = _clause_start(before)
    before = before[start:]
    selfs = [m.end() for m in _SELF.finditer(before)]
    others = [(s, e, n) for s, e, n in number_spans(before) if n != meta.number]
    last_other = others[-1][1] if others else -1
    if selfs and selfs[-1] > last_other:
        return "self"
    return [n for _, _, n in others]


def _clause_start(before: str) -> int:
    """Where the verb's own clause starts: after the last "và", "," before an earlier verb."""
    last = None
    for last in _VERBS.finditer(before):
        pass
    return last.end() if last else 0


def _targets(segment: str, kind: str, meta: DocumentMeta, clause: str) -> list[Relation]:
    if (cut := _SEGMENT_END.search(segment)) is not None:
        segment = segment[: cut.start()]  # "… theo Kết luận số …": a reason, not a target
    spans = number_spans(segment)
    out: list[Relation] = []
    previous_end = 0
    for j, (start, end, number) in enumerate(spans):
        lead = segment[previous_end:start]
        following = segment[end : spans[j + 1][0] if j + 1 < len(spans) else len(segment)]
        previous_end = end
        if number == meta.number:
            continue
        if not out and not _plain_lead(lead):
            break  # the verb does not act on this number
        typed = _TYPE_NEAR.search(lead)
        doc_type = TYPE_NAMES.get(" ".join(fold(typed["type"]).split())) if typed else None
        partial = bool(_PARTIAL.search(lead[: typed.start()] if typed else lead))
        day = date_in(fold(following[:45])) if re.match(r"\W{0,3}(?:ngày|ban hành ngày)", following) else None
        claim_kind = "amends" if partial and kind in ("replaces", "repeals", "ends") else kind
        out.append(Relation(claim_kind, number, day, doc_type, "text", _quote(clause)))  # type: ignore[arg-type]
    return out


def _plain_lead(lead: str) -> bool:
    words = re.findall(r"[^\W\d_]+", fold(lead))
    return len(words) <= 12 and all(w in _LEAD_WORDS or len(w) == 1 or _is_roman(w) for w in words)


def _is_roman(word: str) -> bool:
    return bool(re.fullmatch(r"[ivxlc]+", word))


def _effective(clause: str, meta: DocumentMeta) -> date | None:
    m = _EFFECTIVE.search(clause)
    if m is None or _subject(clause[: m.start()], meta) not in ("self", []):
        return None
    when = fold(m["when"])
    if when.startswith(("ky", "ban hanh")):
        return meta.issued
    return date_in("ngay " + when) or date_in(when)


def _quote(clause: str) -> str:
    # Not knowledge.text.shorten: the quote is stored in the document's metadata (its
    # relations), and shorten's slightly different cut would change stored text.
    return clause if len(clause) <= MAX_QUOTE else clause[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"


def validity_fields(extra: Mapping[str, Any]) -> tuple[Validity, dict[str, Any], list[str]]:
    """The validity an operator set by hand in a sidecar or front matter, the other extra
    fields, and a warning per unusable value.

    Keys (English or Vietnamese without marks): `status` / `hieu_luc` (in_force, amended,
    replaced, repealed, expired, or "còn hiệu lực", "hết hiệu lực", "bị thay thế", …);
    `replaces` / `thay_the`, `amends` / `sua_doi`, `repeals` / `bai_bo` (what this document
    does to others), `replaced_by` / `thay_the_boi`, `amended_by` / `sua_doi_boi`,
    `repealed_by` / `bai_bo_boi` (what others did to it): a number or name, or a list of them,
    a date may follow ("Hướng dẫn số 01-HD/TW ngày 28/9/2021"); `effective` / `hieu_luc_tu`
    and `expires` / `het_hieu_luc`: dates."""
    rest: dict[str, Any] = {}
    claims: list[Relation] = []
    declared: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in extra.items():
        name = re.sub(r"[\s-]+", "_", fold(str(key)).strip().lower())
        if name in _STATUS_KEYS:
            status = STATUS_WORDS.get(" ".join(fold(str(value)).lower().replace("_", " ").split()))
            if status is None:
                warnings.append(f"unknown validity status {key}={str(value)[:40]!r}: ignored")
            else:
                declared["declared"] = status
        elif name in _LINK_KEYS:
            values = value if isinstance(value, list) else [value]
            for item in values:
                relation = _hand_relation(_LINK_KEYS[name], item)
                if relation is None:
                    warnings.append(f"unusable {key} value {str(item)[:40]!r}: ignored")
                else:
                    claims.append(relation)
        elif name in _DATE_KEYS:
            day = parse_date(value)
            if day is None:
                warnings.append(f"unreadable date {key}={str(value)[:40]!r}: ignored")
            else:
                declared[_DATE_KEYS[name]] = day
        else:
            rest[key] = value
    for warning in warnings:
        logger.warning("validity field: %s", warning)
    return with_claims(Validity(), tuple(claims), **declared), rest, warnings


def _hand_relation(kind: str, value: Any) -> Relation | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = " ".join(normalize(str(value)).split())
    if not text or len(text) > 300:
        return None
    number = canonical_number(text)
    folded = fold(text)
    doc_type = next((TYPE_NAMES[w] for w in sorted(TYPE_NAMES, key=len, reverse=True)
                     if folded.startswith(w)), None)
    day = date_in(folded)
    return Relation(kind, number or text, day, doc_type, "sidecar")  # type: ignore[arg-type]
