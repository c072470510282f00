"""The lexicon files: abbreviations and everyday ↔ official wording, as officers keep them.

Two kinds of tab-separated file, told apart by their header row (the first row that is not a
comment), so an officer's own file says what it holds:

- abbreviations (`knowledge/lexicon/viet-tat.tsv`), header "viết tắt<TAB>dạng đầy đủ…":
  abbreviation, full forms separated by ";", an optional condition, an optional note;
- wording (`knowledge/lexicon/cach-noi.tsv`), header "cách nói thường ngày<TAB>cách nói trong
  văn bản…": the everyday phrase, official phrases separated by ";", an optional note.

Lines starting with "#" are comments. The bundled files say where their entries come from.
A row that cannot be read is skipped with a warning naming the file and line (an officer's
typo must not stop the bot); `check_files` lists the same problems for the CLI.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "lexicon"
ALTERNATIVES_SEPARATOR = ";"
MAX_FILE_BYTES = 2_000_000  # a lexicon is a few hundred rows; anything larger is a mistake
MAX_PHRASE_CHARS = 200

Kind = Literal["abbreviations", "wording"]
# Folded first header cell -> kind.
_HEADERS: dict[str, Kind] = {"viet tat": "abbreviations", "cach noi thuong ngay": "wording"}


@dataclass(frozen=True)
class Condition:
    """When an abbreviation with several meanings takes this one (see the bundled file)."""

    kind: Literal["number", "before", "capitals"]
    before: tuple[tuple[str, ...], ...] = ()  # folded syllables of each word it must precede


@dataclass(frozen=True)
class Abbreviation:
    short: str  # as documents print it: "NQ", "KT-XH", "ĐU"
    full_forms: tuple[str, ...]  # normalised: ("nghị quyết",)
    condition: Condition | None
    source: str  # "file:line", for log lines


@dataclass(frozen=True)
class Wording:
    everyday: str  # normalised, lowercase: "bị đuổi việc"
    official: tuple[str, ...]  # normalised, lowercase: ("sa thải", ...)
    source: str


@dataclass(frozen=True)
class Lexicon:
    abbreviations: tuple[Abbreviation, ...] = ()
    wordings: tuple[Wording, ...] = ()

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon(self.abbreviations + other.abbreviations, self.wordings + other.wordings)


def bundled_files() -> list[Path]:
    """The lexicon files shipped with the package, in a stable order."""
    return sorted(BUNDLED_DIR.glob("*.tsv"))


def load_lexicon(paths: Sequence[Path]) -> Lexicon:
    """Every readable row of the given files; problems are logged and the rows skipped."""
    lexicon = Lexicon()
    for path in paths:
        read, problems = _read_file(path)
        for problem in problems:
            logger.warning("lexicon %s", problem)
        lexicon = lexicon + read
    logger.info(
        "lexicon: %d abbreviation rows, %d wording rows from %d files",
        len(lexicon.abbreviations), len(lexicon.wordings), len(paths),
    )
    return lexicon


def check_files(paths: Sequence[Path]) -> tuple[Lexicon, list[str]]:
    """Read the files and return what was read plus every problem ("file:line: why")."""
    lexicon, problems = Lexicon(), []
    for path in paths:
        read, found = _read_file(path)
        lexicon, problems = lexicon + read, problems + found
    return lexicon, problems


def _read_file(path: Path) -> tuple[Lexicon, list[str]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Lexicon(), [f"{path}: larger than {MAX_FILE_BYTES} bytes, not read"]
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return Lexicon(), [f"{path}: cannot be read as UTF-8 text ({exc})"]
    kind: Kind | None = None
    abbreviations: list[Abbreviation] = []
    wordings: list[Wording] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{path.name}:{number}"
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [normalize(c).strip() for c in raw.split("\t")]
        if kind is None:
            kind = _HEADERS.get(" ".join(fold(cells[0]).split()))
            if kind is None:
                expected = " or ".join(f"«{h}»" for h in ("viết tắt", "cách nói thường ngày"))
                return Lexicon(), [f"{where}: the header row must start with {expected}"]
            continue
        try:
            if kind == "abbreviations":
                abbreviations.append(_abbreviation(cells, where))
            else:
                wordings.append(_wording(cells, where))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if kind is None:
        problems.append(f"{path}: no header row")
    return Lexicon(tuple(abbreviations), tuple(wordings)), problems


def _phrases(cell: str) -> tuple[str, ...]:
    phrases = tuple(p.strip() for p in cell.split(ALTERNATIVES_SEPARATOR) if p.strip())
    if any(len(p) > MAX_PHRASE_CHARS for p in phrases):
        raise ValueError(f"a phrase is longer than {MAX_PHRASE_CHARS} characters")
    return phrases


def _abbreviation(cells: list[str], where: str) -> Abbreviation:
    if len(cells) < 2 or not cells[0] or not cells[1]:
        raise ValueError("an abbreviation row needs the abbreviation and its full form")
    short = cells[0]
    if len(short) > 30 or not any(c.isalpha() for c in short):
        raise ValueError(f"«{short}» does not look like an abbreviation")
    condition = _condition(cells[2]) if len(cells) > 2 and cells[2] else None
    return Abbreviation(short, _phrases(cells[1]), condition, where)


def _condition(cell: str) -> Condition:
    folded = " ".join(fold(cell).split())
    if folded == "truoc so":
        return Condition("number")
    if folded == "viet hoa":
        return Condition("capitals")
    if folded.startswith("truoc:") or folded.startswith("truoc :"):
        words = cell.split(":", 1)[1].split(",")
        before = tuple(tuple(fold(w).split()) for w in words if w.strip())
        if before:
            return Condition("before", before)
    raise ValueError(
        f"unknown condition «{cell}» (use «trước số», «viết hoa» or «trước: từ 1, từ 2»)"
    )


def _wording(cells: list[str], where: str) -> Wording:
    if len(cells) < 2 or not cells[0] or not cells[1]:
        raise ValueError("a wording row needs the everyday phrase and an official phrase")
    everyday = cells[0].lower()
    official = tuple(p.lower() for p in _phrases(cells[1]) if p.lower() != everyday)
    if not official:
        raise ValueError(f"«{cells[0]}» only maps to itself")
    if len(everyday) > MAX_PHRASE_CHARS:
        raise ValueError(f"the everyday phrase is longer than {MAX_PHRASE_CHARS} characters")
    return Wording(everyday, official, where)
