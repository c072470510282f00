"""The channel-agnostic message types: what adapters translate platform updates into, and
what the core answers with. Nothing here knows Telegram, Zalo or a terminal.

The core replies with *semantic* replies (an answer, a document view, plain text with
actions); each channel renders them its own way (Telegram HTML with buttons, Zalo plain text
with "gõ 1 để ..." hints, the terminal as text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Union

from knowledge.answers import Answer
from knowledge.passages import Chunk, DocumentMeta

Platform = Literal["telegram", "zalo", "local"]
# Platforms reached over the network: any worker process may hold a port for them (the
# terminal is reached only by the process it runs in).
NETWORK_PLATFORMS: frozenset[str] = frozenset({"telegram", "zalo"})
ChatKind = Literal["private", "group"]


@dataclass(frozen=True)
class Capabilities:
    """What a chat on a platform can do, told by its adapter so features never test for a
    platform's name: inline buttons (or numbered hints typed back), editing a sent message,
    uploading files and images, native polls, forwarding a native poll as the same poll, and
    the longest text one message may hold (UTF-16 units; 0: no limit)."""

    buttons: bool = True
    edits: bool = True
    files: bool = True
    native_polls: bool = True
    forwards_polls: bool = True
    max_text: int = 4096


@dataclass(frozen=True)
class Sender:
    platform: Platform
    user_id: str  # the platform's id for the person, as text
    display_name: str = ""


@dataclass(frozen=True)
class Chat:
    platform: Platform
    chat_id: str
    kind: ChatKind
    title: str = ""
    # What this chat can do (the adapter's platform); not part of the chat's identity.
    capabilities: Capabilities = field(default=Capabilities(), compare=False, repr=False)


@dataclass(frozen=True)
class IncomingText:
    """A text message. `addressed` is True when, in a group, the bot was mentioned or
    replied to (adapters know how their platform says so); always True in private chats."""

    update_id: str
    sender: Sender
    chat: Chat
    text: str
    addressed: bool
    sent_at: datetime | None = None


@dataclass(frozen=True)
class IncomingAction:
    """A button press (Telegram callback query) or its text equivalent, carrying the
    action data the core put on the button (see `Action`)."""

    update_id: str
    sender: Sender
    chat: Chat
    data: str
    callback_id: str | None = None  # for answerCallbackQuery
    typed: str | None = None  # text channels: what the person typed ("1") to choose it


@dataclass(frozen=True)
class IncomingUnsupported:
    """A sticker, photo, voice note, file or anything else the assistant cannot read."""

    update_id: str
    sender: Sender
    chat: Chat
    kind: str  # "sticker", "photo", "voice", ... for the log line
    # A document's or photo's reusable platform file id (broadcast attachments, report files)
    file_id: str | None = None
    file_name: str = ""
    file_size: int | None = None  # bytes, as the platform announces it (not yet checked)
    mime_type: str = ""  # as the sender's app announced it (not yet checked)
    # Where the platform keeps an image the person sent (Zalo gives a link, not an id): a
    # URL from outside, to be fetched only through bot.services.fetch.
    file_url: str | None = None


@dataclass(frozen=True)
class IncomingPollUpdate:
    """A native poll's latest state (Telegram `poll` update): counts only, never who voted."""

    update_id: str
    platform: Platform
    poll_id: str  # the platform's id of the poll (one per poll message)
    counts: tuple[int, ...]
    voters: int
    closed: bool = False


@dataclass(frozen=True)
class IncomingPollAnswer:
    """A vote in a named native poll (Telegram `poll_answer`); empty `option_ids` = retracted."""

    update_id: str
    sender: Sender
    poll_id: str
    option_ids: tuple[int, ...]


@dataclass(frozen=True)
class IncomingChatChange:
    """The platform says a chat changed: a group now lives under a new id (`moved_to`: a
    Telegram group upgraded to a supergroup), or the bot can no longer write there
    (`reachable=False`: blocked by the user, removed from the group; `reason` in the
    platform's words) or can again (`reachable=True`). No reply is expected."""

    update_id: str
    chat: Chat
    moved_to: str | None = None
    reachable: bool | None = None
    reason: str = ""


Incoming = Union[IncomingText, IncomingAction, IncomingUnsupported, IncomingPollUpdate,
                 IncomingPollAnswer, IncomingChatChange]


LABEL_CHARS = 60  # a button's label (unit names, report titles): longer ones are cut
MAX_ACTION_DATA_BYTES = 64  # Telegram's callback_data limit (Bot API, InlineKeyboardButton)


@dataclass(frozen=True)
class Action:
    """Something the person can do next: a button on Telegram, a numbered hint on Zalo.

    Two limits, kept apart: the label is for people (a name longer than `LABEL_CHARS` is cut
    after a whole word with knowledge.text.shorten); the data is for machines and must fit
    Telegram's callback_data, at most 64 bytes of UTF-8 — it carries ids, never user text,
    and a longer one is a programming error (ValueError here, not a refused button later)."""

    label: str  # Vietnamese, short: "👍", "Xem văn bản"
    data: str  # opaque to adapters, ≤ 64 bytes (Telegram's callback_data limit)

    def __post_init__(self) -> None:
        size = len(self.data.encode("utf-8"))
        if size > MAX_ACTION_DATA_BYTES:
            raise ValueError(f"action data must be at most {MAX_ACTION_DATA_BYTES} bytes, "
                             f"got {size}: {self.data[:80]!r}")


@dataclass(frozen=True)
class TextReply:
    text: str  # plain text; channels escape it for their markup
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class AnswerReply:
    answer: Answer
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class DocumentReply:
    """"Xem văn bản": a document's metadata and outline, then the cited section's text."""

    doc: DocumentMeta
    outline: tuple[str, ...]  # heading paths in document order, deduplicated
    section: str
    chunks: tuple[Chunk, ...]  # the cited section's passages, in order
    opening: bool = False  # an overview: `chunks` hold the document's opening content


@dataclass(frozen=True)
class PhotoReply:
    """An image (a poll's results chart) with a short caption. Channels that cannot upload
    an image (Zalo's sendPhoto takes only a public URL) send the caption as text."""

    image: bytes  # PNG
    caption: str
    filename: str = "chart.png"


@dataclass(frozen=True)
class FileReply:
    """A file to download (a poll's results as CSV), or one already on the platform
    (`file_id`: a broadcast's attachment, sent again by its id). Text channels, which cannot
    send files, show the caption and the file's text when it is short enough to read in a
    chat."""

    data: bytes
    filename: str
    caption: str
    file_id: str | None = None


Reply = Union[TextReply, AnswerReply, DocumentReply, PhotoReply, FileReply]


@dataclass
class Outcome:
    """What handling one incoming update produced."""

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None  # a short toast for a button press (answerCallbackQuery text)
