"""An error's JSON body in each seed's shape."""

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors._style import ErrorStyle

_STATUS_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def error_body(
    style: ErrorStyle,
    *,
    status_code: int,
    message: str,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
    fields: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The JSON body of an error in `style`."""
    code = code or _STATUS_CODES.get(status_code, "ERROR")
    fields = {name: list(msgs) for name, msgs in (fields or {}).items()}
    if style is ErrorStyle.AGENT:
        merged = dict(details or {})
        if fields:
            merged.setdefault("fields", fields)
        return {"error": {"code": code, "message": message, "details": merged}}
    if style is ErrorStyle.DESK:
        # 003 answers validation with the bare per-field lists and anything else with "error".
        return dict(fields) if fields else {"error": message}
    if style is ErrorStyle.AGRO:
        return {"detail": message, **fields}
    body: dict[str, Any] = {"detail": message}
    if fields:
        body["errors"] = fields
    return body
