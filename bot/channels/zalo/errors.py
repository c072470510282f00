"""What can go wrong when calling the Zalo Bot Platform, as types a caller can act on.

    ZaloError                      every failure: method, error_code, description
    ├── ZaloTransientError         try again later (retry_after: seconds, when known)
    │   ├── ZaloRateLimited        429: too many requests
    │   ├── ZaloServerError        5xx, 408, or an answer that is not the API's JSON
    │   └── ZaloNetworkError       no answer at all; `maybe_delivered` when the request may
    │                              have reached the platform (a timeout, a dropped connection)
    └── ZaloPermanentError         the same call will fail again
        ├── ZaloUnauthorized       401: the bot token is wrong or revoked
        ├── ZaloBadRequest         400 (and other 4xx): our parameters are wrong
        └── ZaloRecipientError     this chat cannot be messaged: give up on it, not on others
            ├── ZaloForbidden      403: the person blocked the bot, or it left the group
            └── ZaloChatNotFound   404: no such chat for this bot

The platform documents its error format (`{"ok": false, "error_code", "description"}`) but
not a list of codes; they are read the way HTTP statuses are, and an unknown code is a plain
`ZaloPermanentError` (retrying a call we do not understand risks duplicates). The broadcast
engine maps these onto outbox states: transient -> retry at `retry_after` or with backoff,
recipient errors -> blocked, other permanent errors -> failed.
"""

from __future__ import annotations

from typing import Any


class ZaloError(Exception):
    def __init__(self, method: str, error_code: int | None, description: str, *,
                 http_status: int | None = None) -> None:
        super().__init__(f"{method}: {error_code} {description}".strip())
        self.method = method
        self.error_code = error_code
        self.description = description
        self.http_status = http_status


class ZaloTransientError(ZaloError):
    def __init__(self, method: str, error_code: int | None, description: str, *,
                 http_status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(method, error_code, description, http_status=http_status)
        self.retry_after = retry_after


class ZaloRateLimited(ZaloTransientError):
    pass


class ZaloServerError(ZaloTransientError):
    pass


class ZaloNetworkError(ZaloTransientError):
    def __init__(self, method: str, description: str, *, maybe_delivered: bool) -> None:
        super().__init__(method, None, description)
        self.maybe_delivered = maybe_delivered


class ZaloPermanentError(ZaloError):
    pass


class ZaloUnauthorized(ZaloPermanentError):
    pass


class ZaloBadRequest(ZaloPermanentError):
    pass


class ZaloRecipientError(ZaloPermanentError):
    pass


class ZaloForbidden(ZaloRecipientError):
    pass


class ZaloChatNotFound(ZaloRecipientError):
    pass


def error_for(method: str, error_code: int | None, description: str, *,
              http_status: int | None = None, retry_after: float | None = None) -> ZaloError:
    """The typed error for an `ok: false` answer (or an HTTP error without one)."""
    code = error_code if error_code is not None else http_status
    transient: dict[str, Any] = {"http_status": http_status, "retry_after": retry_after}
    if code == 429:
        return ZaloRateLimited(method, error_code, description, **transient)
    if code is None or code == 408 or 500 <= code <= 599:
        return ZaloServerError(method, error_code, description, **transient)
    permanent: type[ZaloPermanentError] = {
        401: ZaloUnauthorized, 403: ZaloForbidden, 404: ZaloChatNotFound,
    }.get(code, ZaloBadRequest if 400 <= code <= 499 else ZaloPermanentError)
    return permanent(method, error_code, description, http_status=http_status)
