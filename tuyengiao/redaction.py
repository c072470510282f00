"""Secrets never reach a log line: a logging filter, installed by the entry point on every
handler of the root logger, that replaces the bot tokens, the webhook secrets and the
database password wherever they appear — in the message and its arguments, in exception
texts and tracebacks (a Bot API URL carries the token: "…/bot<TOKEN>/sendMessage"; PTB's
InvalidToken repeats the token), and in stack traces.

Each secret is replaced by its setting's name in angle brackets ("<TELEGRAM_BOT_TOKEN>"), also
when URL-encoded, and the secret half of a "<bot id>:<secret>" token alone. Values shorter
than `MIN_SECRET` characters are not replaced (they would garble ordinary text); the entry
point warns about such a webhook secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import quote

MIN_SECRET = 8
_FORMATTER = logging.Formatter()


class SecretRedactor(logging.Filter):
    def __init__(self, secrets: Mapping[str, str]) -> None:
        """`secrets`: setting name -> value (empty values are ignored)."""
        super().__init__()
        self._names: dict[str, str] = {}
        for name, value in secrets.items():
            for variant in _variants(value):
                self._names.setdefault(variant, f"<{name}>")
        ordered = sorted(self._names, key=len, reverse=True)  # the whole token before its half
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def redact(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: self._names[m.group(0)], text)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _variants(value: str) -> set[str]:
    value = (value or "").strip()
    found = {value, quote(value, safe="")}
    head, sep, tail = value.partition(":")
    if sep and head.isdigit():  # "<bot id>:<secret>": the id is public, the rest is not
        found |= {tail, quote(tail, safe="")}
    return {v for v in found if len(v) >= MIN_SECRET}


def install(secrets: Mapping[str, str]) -> SecretRedactor:
    """Add the redactor to every handler the root logger has now (call after configuring
    logging); returns it."""
    redactor = SecretRedactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


__all__ = ["MIN_SECRET", "SecretRedactor", "install"]
