"""The services' errors. Each carries a short Vietnamese `message` the person may be shown;
channels show that and never a traceback."""

from __future__ import annotations

from typing import Literal

from bot import messages as texts


class ServiceError(Exception):
    default_message = texts.SERVICE_ERROR

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class PermissionDenied(ServiceError):
    default_message = texts.PERMISSION_DENIED


class NotFound(ServiceError):
    default_message = texts.NOTHING_FOUND


class InvalidInput(ServiceError):
    default_message = texts.INVALID_INPUT


InviteProblem = Literal["unknown", "revoked", "expired", "used_up", "same_person", "platform_taken",
                        "link_code", "invite_code"]

_INVITE_MESSAGES: dict[str, str] = {
    "unknown": texts.INVITE_UNKNOWN,
    "revoked": texts.INVITE_REVOKED,
    "expired": texts.INVITE_EXPIRED,
    "used_up": texts.INVITE_USED_UP,
    "same_person": texts.LINK_SAME_PERSON,
    "platform_taken": texts.LINK_PLATFORM_TAKEN,
    "link_code": texts.CODE_IS_LINK,  # a link code given to /dangky
    "invite_code": texts.CODE_IS_INVITE,  # an invite given to /lienket
}
_LINK_MESSAGES: dict[str, str] = {
    "unknown": texts.LINK_CODE_UNKNOWN,
    "revoked": texts.LINK_CODE_STALE,  # a newer code replaced it
    "expired": texts.LINK_CODE_STALE,
    "used_up": texts.LINK_CODE_STALE,
}


class CodeRefused(ServiceError):
    """A typed code was wrong: bot.services.code_guard counts it against the person and the
    chat. `reason` says why (for logs and tests)."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        self.reason = reason
        super().__init__(message)


class InviteInvalid(CodeRefused):
    """The invite or link code cannot be used. `link`: the code was typed as a link code
    (`/lienket`), so a wrong or stale one is called a link code, not an invite."""

    def __init__(self, reason: InviteProblem, *, link: bool = False) -> None:
        message = (_LINK_MESSAGES.get(reason) if link else None) or _INVITE_MESSAGES[reason]
        super().__init__(reason, message)
        self.reason: InviteProblem = reason


class MergeConflict(InvalidInput):
    """Two people's records cannot become one person's (bot.services.person_merge): `what`
    says what both did ("đã bỏ phiếu trong khảo sát #3"); None: a collision no rule foresaw."""

    def __init__(self, what: str | None = None) -> None:
        self.what = what
        super().__init__(texts.LINK_MERGE_CONFLICT.format(what=what) if what
                         else texts.LINK_MERGE_FAILED)


class CodeLocked(ServiceError):
    """Too many wrong codes from this person or chat: redemption refused for `minutes` more."""

    def __init__(self, message: str, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(message)


__all__ = ["CodeLocked", "CodeRefused", "InvalidInput", "InviteInvalid", "InviteProblem",
           "MergeConflict", "NotFound", "PermissionDenied", "ServiceError"]
