"""Errors as exceptions carrying the seed's error body (each route family answers in its own
seed's shape: `{"error": {"code", "message", "details"}}`, `{"error": "..."}`, `{"detail": ...}`)."""

import time
from datetime import UTC, datetime
from typing import Any


class ApiError(Exception):
    """The platform answered an error: `status`, `body` (the seed's error body, parsed) and a
    readable `message` taken from it."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.message = _message_of(body) or f"HTTP {status}"
        super().__init__(f"{status}: {self.message}")


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class PayloadTooLarge(ApiError):
    pass


class RateLimited(ApiError):
    """A 429 not retried (retries spent, or a wait beyond `max_retry_wait`, such as a daily
    quota): `retry_after` (seconds, from `Retry-After`) and `reset_at` (an aware datetime,
    from `X-RateLimit-Reset`, else now + `retry_after`) say when to try again."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body, headers=headers)
        lowered = {k.lower(): v for k, v in self.headers.items()}
        self.retry_after = _number(lowered.get("retry-after"))
        reset = _number(lowered.get("x-ratelimit-reset"))
        if reset is None and self.retry_after is not None:
            reset = time.time() + self.retry_after
        self.reset_at = datetime.fromtimestamp(reset, UTC) if reset is not None else None


class ServerError(ApiError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 413: PayloadTooLarge,
    429: RateLimited,
}  # fmt: skip


def error_for(status: int, body: Any, headers: dict[str, str] | None = None) -> ApiError:
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return kind(status, body, headers=headers)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message_of(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(message := error.get("message"), str):
            return message
        if isinstance(error, str):
            return error
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            return str(detail[0].get("msg", ""))
        fields = [f"{k}: {v[0]}" for k, v in body.items() if isinstance(v, list) and v and isinstance(v[0], str)]
        return "; ".join(fields)
    return body if isinstance(body, str) else ""
