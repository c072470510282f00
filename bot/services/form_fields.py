"""The fields of a form people fill in by chat — text, number, one-of choices, date, file or
photo; required or not — and the checking of what they type: for any feature with a guided
form (unit reports, opinion reports, study attendance).

A form is defined by an officer in one message, one field a line:

    Số buổi sinh hoạt chi bộ | số
    Nội dung nổi bật | chữ
    Đánh giá chung | chọn: Tốt; Khá; Trung bình
    Ngày họp gần nhất | ngày | không bắt buộc
    Ảnh biên bản | tệp

(a line with no kind is text; a field is required unless it says "không bắt buộc" or "tùy
chọn"; kinds and marks are matched without case or diacritics). `parse_definition` turns the
lines into `FieldSpec`s (keys "f1", "f2"... by position), `dumps`/`loads` keep them as JSON.

What people type is hostile until checked: `parse_answer(spec, text, today)` returns the
value to store (str, int or float, an ISO date "2026-05-20", the chosen option's text) or
raises InvalidInput with a short Vietnamese message that shows an example of a right answer.
Numbers are read the Vietnamese way — "1.234" is one thousand two hundred and thirty-four,
"2,5" two and a half — and shown the same way (`show`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from bot import messages as texts
from bot.services.errors import InvalidInput
from knowledge.text import fold, normalize, shorten

FieldKind = Literal["text", "number", "choice", "date", "file"]
KINDS: tuple[str, ...] = ("text", "number", "choice", "date", "file")

MAX_FIELDS = 20
MAX_LABEL = 120
MAX_OPTIONS = 12
MAX_OPTION = 60
MAX_TEXT = 2000  # characters in one text answer
MAX_NUMBER = 10**12  # beyond any count a unit reports

_KIND_WORDS: dict[str, str] = {
    "chu": "text", "van ban": "text", "noi dung": "text", "text": "text",
    "so": "number", "so luong": "number", "con so": "number", "number": "number",
    "ngay": "date", "ngay thang": "date", "date": "date",
    "tep": "file", "file": "file", "anh": "file", "hinh anh": "file", "tai lieu": "file",
    "tep/anh": "file", "tep anh": "file", "photo": "file",
}
_CHOICE_WORDS = ("chon", "lua chon", "chon mot", "choice")
_OPTIONAL_WORDS = ("khong bat buoc", "tuy chon", "optional")
_REQUIRED_WORDS = ("bat buoc", "required")
_INT = re.compile(r"[+-]?\d{1,13}")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")  # 1.234.567
_DECIMAL = re.compile(r"[+-]?\d{1,13}[.,]\d{1,6}")
_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"
    required: bool = True
    options: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """"Số buổi (số, bắt buộc)" — how the field is listed in a preview or a question."""
        kind = texts.FORM_KIND_NAMES.get(self.kind, self.kind)
        if self.kind == "choice":
            kind = f"{kind}: {'; '.join(self.options)}"
        need = texts.FORM_REQUIRED if self.required else texts.FORM_OPTIONAL
        return f"{self.label} ({kind}, {need})"


def _words(text: str) -> str:
    return " ".join(fold(normalize(text)).lower().split())


def parse_definition(lines: Sequence[str]) -> list[FieldSpec]:
    """An officer's field lines → FieldSpecs. InvalidInput naming the line at fault."""
    specs: list[FieldSpec] = []
    for number, raw in enumerate((line for line in lines if line.strip()), 1):
        parts = [p.strip() for p in normalize(raw).split("|")]
        label = " ".join(parts[0].split())
        if not label or len(label) > MAX_LABEL:
            raise InvalidInput(texts.FORM_DEF_LABEL.format(line=number, limit=MAX_LABEL))
        kind, required, options = "text", True, ()
        for part in parts[1:]:
            word = _words(part)
            if not word:
                continue
            head, colon, rest = part.partition(":")
            if colon and _words(head) in _CHOICE_WORDS:
                kind, options = "choice", _options(rest, number)
            elif word in _OPTIONAL_WORDS:
                required = False
            elif word in _REQUIRED_WORDS:
                required = True
            elif word in _KIND_WORDS:
                kind = _KIND_WORDS[word]
            else:
                raise InvalidInput(texts.FORM_DEF_KIND.format(line=number, kind=shorten(part, 40)))
        specs.append(FieldSpec(f"f{number}", label, kind, required, options))
        if len(specs) > MAX_FIELDS:
            raise InvalidInput(texts.FORM_DEF_TOO_MANY.format(limit=MAX_FIELDS))
    if not specs:
        raise InvalidInput(texts.FORM_DEF_NONE)
    return specs


def _options(text: str, line: int) -> tuple[str, ...]:
    options = tuple(" ".join(o.split()) for o in re.split(r"[;/]", text) if o.strip())
    folded = {_words(o) for o in options}
    if not 2 <= len(options) <= MAX_OPTIONS or len(folded) != len(options) \
            or any(len(o) > MAX_OPTION for o in options):
        raise InvalidInput(texts.FORM_DEF_OPTIONS.format(line=line, limit=MAX_OPTIONS,
                                                         length=MAX_OPTION))
    return options


def dumps(specs: Sequence[FieldSpec]) -> str:
    return json.dumps([asdict(s) for s in specs], ensure_ascii=False)


def loads(data: str) -> list[FieldSpec]:
    """FieldSpecs from `dumps`; unknown kinds become text (a newer version's form read by an
    older one must still be fillable)."""
    found = []
    for item in json.loads(data or "[]"):
        kind = item.get("kind", "text")
        found.append(FieldSpec(str(item["key"]), str(item["label"]),
                               kind if kind in KINDS else "text", bool(item.get("required", True)),
                               tuple(str(o) for o in item.get("options", ()))))
    return found


# --- answers ------------------------------------------------------------------------------


def parse_answer(spec: FieldSpec, text: str, today: date) -> Any:
    """What a person typed for `spec`, checked: the value to store. InvalidInput otherwise
    (the message shows an example). A file field cannot be typed (FORM_FILE_EXPECTED)."""
    value = " ".join(normalize(text).split()) if spec.kind != "text" else normalize(text).strip()
    if spec.kind == "file":
        raise InvalidInput(texts.FORM_FILE_EXPECTED)
    if not value:
        raise InvalidInput(texts.FORM_EMPTY)
    if spec.kind == "number":
        return parse_number(value)
    if spec.kind == "date":
        return parse_date(value, today).isoformat()
    if spec.kind == "choice":
        return choose(spec, value)
    if len(value) > MAX_TEXT:
        raise InvalidInput(texts.FORM_TEXT_TOO_LONG.format(limit=MAX_TEXT))
    return value


def parse_number(value: str) -> int | float:
    """"12", "1.234" (thousands), "2,5" / "2.5" (decimals), "-3" → a number within ±10^12."""
    compact = value.replace(" ", "")
    number: int | float
    if _INT.fullmatch(compact):
        number = int(compact)
    elif _THOUSANDS.fullmatch(compact):
        number = int(compact.replace(".", ""))
    elif _DECIMAL.fullmatch(compact):
        number = float(compact.replace(",", "."))
        if number.is_integer():
            number = int(number)
    else:
        raise InvalidInput(texts.FORM_NUMBER_INVALID.format(value=shorten(value, 40)))
    if abs(number) > MAX_NUMBER:
        raise InvalidInput(texts.FORM_NUMBER_INVALID.format(value=shorten(value, 40)))
    return number


def parse_date(value: str, today: date) -> date:
    """"20/5/2026", "20-05-2026", "20.5.26", "2026-05-20", "20/5" (this year) → a date in
    2000..2100."""
    compact = value.strip().rstrip(".")
    try:
        if m := _ISO_DATE.fullmatch(compact):
            year, month, day = int(m[1]), int(m[2]), int(m[3])
        elif m := _DATE.fullmatch(compact):
            day, month = int(m[1]), int(m[2])
            year = today.year if m[3] is None else int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        else:
            raise ValueError(value)
        found = date(year, month, day)
        if not 2000 <= found.year <= 2100:
            raise ValueError(value)
        return found
    except ValueError:
        raise InvalidInput(texts.FORM_DATE_INVALID.format(
            value=shorten(value, 40), example=today.strftime("%d/%m/%Y"))) from None


def choose(spec: FieldSpec, value: str) -> str:
    """The option typed (by its text, without case or diacritics needed, or its number)."""
    if value.isascii() and value.isdigit() and 1 <= int(value) <= len(spec.options):
        return spec.options[int(value) - 1]
    wanted = _words(value)
    for option in spec.options:
        if _words(option) == wanted:
            return option
    raise InvalidInput(texts.FORM_CHOICE_INVALID.format(value=shorten(value, 40),
                                                        options="; ".join(spec.options)))


def format_number(number: float) -> str:
    """12 → "12", 1234 → "1.234", 2.5 → "2,5" (Vietnamese separators)."""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    whole, _, frac = f"{number:.6f}".rstrip("0").partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


def show(spec: FieldSpec, value: Any) -> str:
    """A stored value as people read it (dates dd/mm/yyyy, numbers the Vietnamese way, files
    by name); "—" when empty."""
    if value is None or value == "":
        return "—"
    if spec.kind == "number" and isinstance(value, (int, float)):
        return format_number(value)
    if spec.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if spec.kind == "file" and isinstance(value, dict):
        return str(value.get("name") or texts.FORM_FILE_UNNAMED)
    return str(value)


__all__ = ["FieldKind", "FieldSpec", "KINDS", "MAX_FIELDS", "MAX_TEXT", "choose", "dumps",
           "format_number", "loads", "parse_answer", "parse_date", "parse_definition",
           "parse_number", "show"]
