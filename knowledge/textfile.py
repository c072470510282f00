"""Reading the bytes of a text file someone made: UTF-8 (with or without the BOM Windows
tools write), UTF-16 with its BOM, or Vietnamese in a legacy 8-bit encoding (TCVN3, VNI,
Windows-1258) that old documents and old spreadsheets still use. Shared by the indexer's
loaders and the bot's file imports (a quiz CSV), which may not import each other.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata

from knowledge.legacy import convert_legacy, valid_share

logger = logging.getLogger(__name__)


class NotText(ValueError):
    """The bytes are not text in any encoding `decode_text` reads (the reason says why)."""


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Share of a legacy-decoded text's words that must be Vietnamese syllables for the reading to
# be believed; binary junk or another language stays well below it.
_LEGACY_MIN_VALID = 0.6


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (BOM optional), UTF-16 when it says so with a BOM, or, for
    bytes that are not UTF-8, Vietnamese in a legacy 8-bit encoding.

    Legacy text is read line by line (a file may mix UTF-8 lines with lines pasted from an
    old document): each line that is not UTF-8 is read as TCVN3 or VNI (`legacy`) or as
    Windows-1258, whichever makes the most valid Vietnamese syllables; a reading is believed
    only when most of its words are syllables, so a wrong guess is refused rather than
    indexed as plausible garbage. Raises NotText otherwise. TCVN3 and VNI lines are
    returned as their Latin-1 stand-ins: the caller converts them with
    `legacy.convert_legacy`, which also says how many lines it converted.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotText("not UTF-16 text") from exc
    if b"\x00" in data:
        # UTF-8 text never contains NUL; this is a binary file with a text suffix.
        raise NotText("binary content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    lines: list[str] = []
    legacy: list[int] = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            legacy.append(len(lines))
            lines.append(raw.decode("latin-1"))
    readings = {"TCVN3/VNI": lines}
    try:
        windows = list(lines)
        for i in legacy:
            windows[i] = data.split(b"\n")[i].decode("cp1258")
        readings["Windows-1258"] = windows
    except UnicodeDecodeError:
        pass
    converted = convert_legacy("\n".join(lines)).text.split("\n")
    scored = {"TCVN3/VNI": _valid_share([converted[i] for i in legacy])}
    if "Windows-1258" in readings:
        scored["Windows-1258"] = _valid_share([readings["Windows-1258"][i] for i in legacy])
    best = max(scored, key=lambda name: scored[name])
    if scored[best] < _LEGACY_MIN_VALID:
        first = legacy[0] + 1
        raise NotText(f"not UTF-8 text (line {first}), nor Vietnamese in TCVN3, VNI or Windows-1258")
    logger.info("%d lines read as %s", len(legacy), best)
    return "\n".join(readings[best])


def _valid_share(lines: list[str]) -> float:
    return valid_share(unicodedata.normalize("NFC", " ".join(lines)))


def read_text(data: bytes) -> str:
    """`decode_text`, with TCVN3 and VNI lines converted to Unicode (NotText as there)."""
    return convert_legacy(decode_text(data)).text
