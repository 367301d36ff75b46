"""The id that follows one request through the gateway, the services and their events."""

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Accept a caller's id only if it is short and plain, so it is safe in logs and headers.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    return request_id_var.get()


def accept_or_new(candidate: str | None) -> str:
    if candidate and _ACCEPTABLE.match(candidate):
        return candidate
    return uuid.uuid4().hex
