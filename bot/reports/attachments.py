"""Files and photos people send for a form: checked, fetched and kept.

- Telegram: the platform's file id is kept (it can be sent again), and a copy is downloaded
  (getFile, through the channel's port when it is a `FileSource`) — refused before
  downloading when Telegram announces a size over REPORT_MAX_FILE_MB, and checked again on
  the bytes. If the download fails for a passing reason (the network), the id alone is kept
  and the failure logged: the report is not held up.
- Zalo: an image comes as a link on Zalo's servers, which may expire: it is fetched at once
  through bot.services.fetch (http(s) only, no private addresses, time and size limits, an
  image content type whose bytes match it); a refusal is told to the person, who can resend.
- Kinds: PDF, Word, Excel, PowerPoint, OpenDocument, text and CSV files, JPEG/PNG/WEBP/GIF
  images — by the file name's extension and, where the format has one, its signature (a
  ".pdf" that does not start with "%PDF-" is refused). Anything else is refused with the list.

Copies are stored under REPORT_FILES_DIR as `<yyyy-mm>/<sha256 prefix><extension>`: the name
never comes from the sender (no path tricks), and the same file sent twice is kept once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from bot.core.outbound import DeliveryError, FileSource, FileTooLarge, OutboundPort
from bot.core.types import IncomingUnsupported
from bot.reports import messages as texts
from bot.reports.config import ReportConfig, megabytes
from bot.reports.models import ReportFile
from bot.reports.periods import month_key
from bot.services.errors import InvalidInput
from bot.services.fetch import FetchPolicy, FetchRefused, fetch, sniff

logger = logging.getLogger(__name__)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .ppt)
_ZIP = b"PK\x03\x04"  # Office Open XML and OpenDocument
EXTENSIONS: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".doc": ("application/msword", _OLE), ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".txt": ("text/plain", None), ".csv": ("text/csv", None),
    ".jpg": ("image/jpeg", None), ".jpeg": ("image/jpeg", None), ".png": ("image/png", None),
    ".webp": ("image/webp", None), ".gif": ("image/gif", None),
}
IMAGE_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
                    "image/gif": ".gif"}


@dataclass(frozen=True)
class Received:
    platform: str
    name: str
    mime_type: str
    size: int
    file_id: str | None = None
    url: str | None = None
    sha256: str = ""
    stored_path: str | None = None  # relative to REPORT_FILES_DIR


def _extension(incoming: IncomingUnsupported) -> str:
    if incoming.kind == "photo" or incoming.file_url:
        return ".jpg"
    return os.path.splitext(incoming.file_name.lower())[1]


def _refuse_size(size: int, config: ReportConfig) -> InvalidInput:
    return InvalidInput(texts.FILE_TOO_LARGE.format(size=megabytes(size), limit=config.max_file_mb))


def _check_bytes(extension: str, data: bytes) -> str:
    """The content type the bytes are, for an allowed extension; InvalidInput otherwise."""
    mime, signature = EXTENSIONS[extension]
    if mime.startswith("image/"):
        found = sniff(data)
        if found is None or not found.startswith("image/"):
            raise InvalidInput(texts.FILE_TYPE_REFUSED)
        return found
    if signature is not None and not data.startswith(signature):
        raise InvalidInput(texts.FILE_TYPE_REFUSED)
    return mime


async def receive(incoming: IncomingUnsupported, port: OutboundPort | None,
                  config: ReportConfig, now: datetime) -> Received:
    """Check, fetch and keep the file of `incoming` (InvalidInput with the reason for the
    person when refused)."""
    platform = incoming.chat.platform
    if incoming.file_url and not incoming.file_id:
        return await _from_link(platform, incoming.file_url, config, now)
    extension = _extension(incoming)
    if extension not in EXTENSIONS or not incoming.file_id:
        raise InvalidInput(texts.FILE_TYPE_REFUSED)
    if incoming.file_size is not None and incoming.file_size > config.max_file_bytes:
        raise _refuse_size(incoming.file_size, config)
    name = incoming.file_name or f"{incoming.kind}{extension}"
    mime = EXTENSIONS[extension][0]
    if not isinstance(port, FileSource):
        return Received(platform, name, mime, incoming.file_size or 0, file_id=incoming.file_id)
    try:
        fetched = await port.fetch_file(incoming.file_id, config.max_file_bytes)
    except FileTooLarge as exc:
        raise _refuse_size(exc.size, config) from None
    except DeliveryError as exc:  # the id is kept: the copy can be made from it later
        logger.warning("report file %s: no copy kept: %s", incoming.file_id[:40], exc)
        return Received(platform, name, mime, incoming.file_size or 0, file_id=incoming.file_id)
    mime = _check_bytes(extension, fetched.data)
    digest, stored = await asyncio.to_thread(_store, config.files_dir, fetched.data, extension, now)
    return Received(platform, name, mime, len(fetched.data), incoming.file_id, None, digest, stored)


async def _from_link(platform: str, url: str, config: ReportConfig, now: datetime) -> Received:
    policy = FetchPolicy(config.max_file_bytes, timeout=config.fetch_timeout,
                         allow_private=config.fetch_allow_private)
    try:
        fetched = await fetch(url, policy)
    except FetchRefused as exc:
        logger.warning("report image link refused (%s): %s", exc.kind, exc.detail)
        if exc.kind == "too_large":
            why = texts.FILE_WHY["too_large"].format(limit=config.max_file_mb)
        else:
            why = texts.FILE_WHY.get(exc.kind, exc.kind)
        raise InvalidInput(texts.FILE_FETCH_FAILED.format(why=why)) from None
    extension = IMAGE_EXTENSIONS.get(fetched.content_type, ".jpg")
    digest, stored = await asyncio.to_thread(_store, config.files_dir, fetched.data, extension, now)
    return Received(platform, f"anh{extension}", fetched.content_type, len(fetched.data),
                    None, url, digest, stored)


def _store(folder: Path, data: bytes, extension: str, now: datetime) -> tuple[str, str]:
    """Write `data` under `folder` by its hash (written to a temporary name, then renamed:
    a reader never sees half a file); (sha256, path relative to `folder`)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(month_key(now)) / f"{digest[:32]}{extension}"
    target = folder / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return digest, relative.as_posix()


def record(session: Session, person_id: int, found: Received) -> ReportFile:
    row = ReportFile(person_id=person_id, platform=found.platform, file_id=found.file_id,
                     source_url=found.url, name=found.name[:255], mime_type=found.mime_type[:100],
                     size=found.size, sha256=found.sha256, stored_path=found.stored_path)
    session.add(row)
    session.flush()
    return row


__all__ = ["EXTENSIONS", "Received", "receive", "record"]
