"""Legacy Vietnamese encodings (TCVN3 and VNI) found in old documents, converted to Unicode.

Before Unicode, Vietnamese was typed with 8-bit fonts: TCVN3 (TCVN 5712:1993 VN3, the
".VnTime" family) and VNI ("VNI-Times"). A document typed that way stores Latin-1 code points
that only the font turned into Vietnamese, so its text reads "§¶NG CéNG S¶N" (TCVN3) or
"Ñaûng Coäng saûn" (VNI) to every other program. Such text is found line by line: a line
made only of ASCII and Latin-1 characters is decoded both ways and the reading that makes
the most valid Vietnamese syllables (`knowledge.syllables`) wins when it beats the line as it
stands. Lines already in Unicode Vietnamese are never touched, so mixed files convert only
their legacy lines.

Sources of the tables: TCVN3 — the TCVN 5712:1993 code table for its VN3 subset (bytes
0xA1-0xAE and 0xB5-0xFE, the ones the .VnTime fonts use), checked position by position
against glibc iconv's TCVN5712-1 converter. VNI — the VNI Windows font layout as written in
xvnkb's vni.h (Đào Hải Lâm, 2002): a base vowel followed by a mark character (ù ø û õ ï =
sắc, huyền, hỏi, ngã, nặng; â á à å ã ä = circumflex and circumflex+tone; ê é è ú ü ë =
breve and breve+tone), single characters for ơ ư đ and the marked i and ỵ.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge.syllables import is_syllable

# --- TCVN3 -------------------------------------------------------------------------------
# Bytes 0xA1-0xAE, then 0xB5-0xFF (0xB0-0xB4, combining marks, are not used by the fonts).
# The capitals among the lowercase block (0xBA, 0xBF-0xC5, ...) are the TCVN 5712 VN1
# additions that some fonts also carry.
_TCVN3_A1_AE = "ĂÂÊÔƠƯĐăâêôơưđ"
_TCVN3_B5_FF = "àảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"
_TCVN3: dict[str, str] = {chr(0xA1 + i): c for i, c in enumerate(_TCVN3_A1_AE)}
_TCVN3.update((chr(0xB5 + i), c) for i, c in enumerate(_TCVN3_B5_FF))
_TCVN3_TABLE = str.maketrans(_TCVN3)

# --- VNI ---------------------------------------------------------------------------------
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONE = dict(zip("ùøûõï", (_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)))
_VNI_CIRCUMFLEX = dict(zip("âáàåãä", ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)))
_VNI_BREVE = dict(zip("êéèúüë", ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)))
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
               "î": "ỵ"}
_VNI_PAIR = re.compile("([aeouyAEOUYôöÔÖ])([ùøûõïÙØÛÕÏ])|([aeoAEO])([âáàåãäÂÁÀÅÃÄ])"
                       "|([aA])([êéèúüëÊÉÈÚÜË])")
_VNI_SINGLES = re.compile("[ôöñíìæóòîÔÖÑÍÌÆÓÒÎ]")

# Letters only Unicode Vietnamese has (outside Latin-1): a line with one is never legacy text.
_UNICODE_VIETNAMESE = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169"
                                 "\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9\u0300-\u036f]")
_LATIN1_HIGH = re.compile("[\u00a0-\u00ff]")
_WORD = re.compile(r"[^\W\d_]+")
# A legacy reading must make at least this many more syllables valid than the line as it is.
_MIN_GAIN = 0.25


@dataclass(frozen=True)
class Conversion:
    """The converted text and, per encoding, how many lines were converted from it."""

    text: str
    lines: dict[str, int]

    @property
    def note(self) -> str | None:
        """"converted from TCVN3 (12 lines)", or None when nothing was converted."""
        if not self.lines:
            return None
        parts = ", ".join(f"{name} ({count} line{'s' * (count != 1)})"
                          for name, count in sorted(self.lines.items()))
        return f"converted from legacy encoding {parts}"


def from_tcvn3(text: str) -> str:
    """Read `text` as TCVN3 (.VnTime): each Latin-1 stand-in becomes its Vietnamese letter,
    and a line typed in capitals (a .VnTimeH heading) keeps its capitals."""
    return _restore_capitals(text, text.translate(_TCVN3_TABLE))


def from_vni(text: str) -> str:
    """Read `text` as VNI (VNI-Times): base vowel + mark character pairs and the single
    characters for ơ ư đ ỉ ĩ ị ỵ become Unicode letters."""

    def pair(match: re.Match[str]) -> str:
        if match.group(1):
            base, mark = match.group(1), _VNI_TONE[match.group(2).lower()]
            base = _VNI_SINGLE.get(base.lower(), base.lower())
            letter = unicodedata.normalize("NFC", base + mark)
            return letter.upper() if match.group(1).isupper() else letter
        if match.group(3):
            base, mark = match.group(3), _CIRCUMFLEX + _VNI_CIRCUMFLEX[match.group(4).lower()]
        else:
            base, mark = match.group(5), _BREVE + _VNI_BREVE[match.group(6).lower()]
        return unicodedata.normalize("NFC", base + mark)

    def single(match: re.Match[str]) -> str:
        char = match.group(0)
        letter = _VNI_SINGLE[char.lower()]
        return letter.upper() if char.isupper() else letter

    return _VNI_SINGLES.sub(single, _VNI_PAIR.sub(pair, text))


_DECODERS = {"TCVN3": from_tcvn3, "VNI": from_vni}


def convert_legacy(text: str) -> Conversion:
    """Convert the lines of `text` typed in TCVN3 or VNI to Unicode; other lines unchanged.

    A line is converted when a legacy reading makes clearly more valid syllables (by
    `_MIN_GAIN` of its words); once a document has such lines, its other candidate lines
    ("Sè 31-KL/TU", where "sè" is a syllable too) follow that encoding unless it makes them
    worse.
    """
    lines = text.split("\n")
    converted: dict[str, int] = {}
    undecided: list[int] = []
    for i, line in enumerate(lines):
        if not _LATIN1_HIGH.search(line) or _UNICODE_VIETNAMESE.search(line):
            continue
        best_name, best_line, best_score = None, line, valid_share(line) + _MIN_GAIN
        for name, decode in _DECODERS.items():
            candidate = decode(line)
            score = valid_share(candidate)
            if score >= best_score:
                best_name, best_line, best_score = name, candidate, score
        if best_name is None:
            undecided.append(i)
            continue
        lines[i] = best_line
        converted[best_name] = converted.get(best_name, 0) + 1
    if converted:
        dominant = max(converted, key=lambda name: converted[name])
        for i in undecided:
            candidate = _DECODERS[dominant](lines[i])
            if valid_share(candidate) >= valid_share(lines[i]) and _changed_words_valid(
                lines[i], candidate
            ):
                lines[i] = candidate
                converted[dominant] += 1
    return Conversion("\n".join(lines), converted)


def valid_share(line: str) -> float:
    """Share of the words of `line` that are Vietnamese syllables (0.0 without words)."""
    words = _WORD.findall(line)
    if not words:
        return 0.0
    return sum(is_syllable(word) for word in words) / len(words)


def _changed_words_valid(original: str, converted: str) -> bool:
    """True when most words the reading changed became syllables ("Sè" → "Số" yes,
    "Café" → "Cafộ" no)."""
    changed = [new for old, new in zip(_WORD.findall(original), _WORD.findall(converted))
               if old != new]
    return bool(changed) and 2 * sum(map(is_syllable, changed)) >= len(changed)


def _restore_capitals(original: str, converted: str) -> str:
    """TCVN3 has no capitals for most marked letters: a heading typed in capitals stores
    "KÕT LUËN" (lowercase ế, ậ between capitals). A word whose ASCII letters after the first
    are all capitals is uppercased whole ("ñY" → "ỦY"); "Sè" stays "Số"."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(converted):
        out.append(converted[position:match.start()])
        word = match.group(0)
        source = original[match.start():match.end()]
        capitals = [c for c in source[1:] if c.isascii() and c.isalpha()]
        if capitals and all(c.isupper() for c in capitals):
            word = word.upper()
        out.append(word)
        position = match.end()
    out.append(converted[position:])
    return "".join(out)
