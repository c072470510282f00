"""A quiz sent as a file (step 6 of `/taohoctap`): checked, downloaded and read as text, then
parsed exactly like pasted CSV (bot.study.quiz.parse).

Hostile input, checked in this order, each refusal a short Vietnamese message for the
officer (InvalidInput) and a log line:
- the kind: a `.csv`, `.tsv` or `.txt` name, or, for a file without a usable name, a text
  content type as the sender's app announced it. A spreadsheet (`.xlsx`, `.xls`, `.ods`) is
  told how to save it as CSV; anything else is refused with the kinds read.
- the size: MAX_QUIZ_FILE_BYTES, refused on the size the platform announces (before
  downloading) and again on the bytes (`FileSource.fetch_file` stops there). Ten questions
  at the longest fields (bot.study.quiz limits) are about 25 KB; 256 KiB leaves room for
  a spreadsheet's empty columns and a UTF-16 export.
- the encoding: knowledge.textfile.read_text (UTF-8 with or without BOM, UTF-16 with BOM,
  TCVN3 / VNI / Windows-1258 legacy Vietnamese); bytes that are none of these (a binary
  file renamed `.csv`) are refused.
- the rows: bot.study.quiz.parse names the first bad row (its number in the file, the
  header counted, as a spreadsheet numbers it) and what is wrong.

Only a platform whose port can fetch a file by its id (Telegram's getFile) downloads it.
Zalo hands out links for images only (bot.channels.zalo.translate), so a file sent on Zalo
is answered with how to paste its text instead.
"""

from __future__ import annotations

import logging
import os

from bot.core.outbound import DeliveryError, FileSource, FileTooLarge
from bot.core.types import IncomingUnsupported
from bot.services.errors import InvalidInput
from bot.study import messages as texts
from knowledge.textfile import NotText, read_text

logger = logging.getLogger(__name__)

MAX_QUIZ_FILE_BYTES = 256 * 1024
TEXT_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xls", ".ods", ".numbers"})
# Announced text types, believed only for a file without an extension (a named file goes by
# its extension: Windows announces a .csv as application/vnd.ms-excel).
TEXT_TYPES = frozenset({"text/csv", "text/plain", "text/tab-separated-values",
                        "text/comma-separated-values", "application/csv"})


def _kind(incoming: IncomingUnsupported) -> str:
    """"text", "spreadsheet" or "other", by the name's extension, else the announced type."""
    extension = os.path.splitext(incoming.file_name.lower())[1]
    if extension in TEXT_EXTENSIONS:
        return "text"
    if extension in SPREADSHEET_EXTENSIONS:
        return "spreadsheet"
    if not extension and incoming.mime_type.lower().split(";")[0].strip() in TEXT_TYPES:
        return "text"
    return "other"


def _size_refused(name: str, size: int) -> InvalidInput:
    return InvalidInput(texts.QUIZ_FILE_TOO_LARGE.format(
        name=name, size=-(-size // 1024), limit=MAX_QUIZ_FILE_BYTES // 1024))


async def read(incoming: IncomingUnsupported, port: FileSource) -> str:
    """The text of the quiz file `incoming` carries (it has a file id), ready for
    bot.study.quiz.parse. InvalidInput with the officer's message when it is refused."""
    name = (incoming.file_name or incoming.kind)[:80]
    kind = _kind(incoming)
    if kind != "text":
        logger.info("quiz file %r (%s) refused: %s", name, incoming.mime_type[:60], kind)
        raise InvalidInput(texts.QUIZ_FILE_SPREADSHEET.format(name=name) if kind == "spreadsheet"
                           else texts.QUIZ_FILE_TYPE.format(name=name))
    if incoming.file_size is not None and incoming.file_size > MAX_QUIZ_FILE_BYTES:
        logger.info("quiz file %r refused: %d bytes announced", name, incoming.file_size)
        raise _size_refused(name, incoming.file_size)
    assert incoming.file_id is not None
    try:
        fetched = await port.fetch_file(incoming.file_id, MAX_QUIZ_FILE_BYTES)
    except FileTooLarge as exc:
        logger.info("quiz file %r refused: %d bytes", name, exc.size)
        raise _size_refused(name, exc.size) from None
    except DeliveryError as exc:
        logger.warning("quiz file %r not downloaded: %s", name, exc)
        raise InvalidInput(texts.QUIZ_FILE_NOT_DOWNLOADED.format(name=name)) from None
    try:
        text = read_text(fetched.data)
    except NotText as exc:
        logger.info("quiz file %r refused: %s", name, exc)
        raise InvalidInput(texts.QUIZ_FILE_NOT_TEXT.format(name=name)) from None
    logger.info("quiz file %r read: %d bytes", name, len(fetched.data))
    return text


__all__ = ["MAX_QUIZ_FILE_BYTES", "read"]
