"""CORS on proxied answers without a middleware layer per request and per streamed chunk.

Starlette's `CORSMiddleware` wraps `send` for every request (every chunk of a stream passes
through it) and rebuilds the answer's headers as `MutableHeaders`: a few percent of the
gateway's CPU per proxied request (py-spy during `bench/gateway.py`). Preflights and the
gateway's own pages still go through it; a proxied answer gets the same headers here, on its
raw header list, before it is sent. The middleware's own settings are read, so both agree.
"""

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Scope

_ORIGIN = b"origin"
_VARY = b"vary"
_ALLOW_ORIGIN = b"access-control-allow-origin"
_REQUEST_METHOD = b"access-control-request-method"

RawHeaders = list[tuple[bytes, bytes]]


class SimpleCors:
    """What `CORSMiddleware.send` does to a non-preflight answer's headers, on raw headers."""

    def __init__(self, middleware: CORSMiddleware) -> None:
        self._middleware = middleware
        self._simple = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in middleware.simple_headers.items()
        ]

    @staticmethod
    def origin(scope: Scope) -> bytes | None:
        """The request's `Origin` (the first, as `Headers.get` reads it)."""
        for name, value in scope["headers"]:
            if name == _ORIGIN:
                return bytes(value)
        return None

    @staticmethod
    def is_preflight(scope: Scope, origin: bytes | None) -> bool:
        """Answered by the middleware itself, whatever the path."""
        return (
            origin is not None
            and scope["method"] == "OPTIONS"
            and any(name == _REQUEST_METHOD for name, _ in scope["headers"])
        )

    def apply(self, origin: bytes | None, headers: RawHeaders) -> None:
        """Add to `headers` (lower-case names, as a relayed answer has them) what the middleware would."""
        middleware = self._middleware
        if origin is None:
            _vary_origin(headers)
            return
        for name, value in self._simple:
            _set(headers, name, value)
        if middleware.allow_all_origins and middleware.allow_credentials:
            _set(headers, _ALLOW_ORIGIN, origin)
        elif not middleware.allow_all_origins and middleware.is_allowed_origin(origin=origin.decode("latin-1")):
            _set(headers, _ALLOW_ORIGIN, origin)
        _vary_origin(headers)


def _set(headers: RawHeaders, name: bytes, value: bytes) -> None:
    """`MutableHeaders.__setitem__`: the first of `name` takes the value, the others go; else appended."""
    found = [index for index, (key, _) in enumerate(headers) if key == name]
    for index in reversed(found[1:]):
        del headers[index]
    if found:
        headers[found[0]] = (name, value)
    else:
        headers.append((name, value))


def _vary_origin(headers: RawHeaders) -> None:
    """`Vary` with `Origin` added to whatever it said (every `Vary` line joined into one)."""
    _set(headers, _VARY, b", ".join([*(value for key, value in headers if key == _VARY), b"Origin"]))
