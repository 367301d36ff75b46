"""CSRF: every request that may change something carries the session's token and comes from
the console's own origin, or is refused with 403.

The token is an HMAC of the session's nonce (`CookieJar.csrf_token`): htmx sends it as
`X-CSRF-Token` (console.js reads `<meta name="csrf-token">`), plain forms as the hidden field
`csrf_token` (`csrf_field()` in templates). Checked for the whole app (a dependency of the
FastAPI app itself), so no page can forget it.
"""

from fastapi import Request

from console.errors import CsrfRefused
from console.session_state import cookie_jar, read_session

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "verify_csrf"]

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def public_origin(request: Request) -> str:
    """The scheme and host the browser used. Behind the gateway these are its X-Forwarded-*
    headers (it drops any a client wrote); reached directly, the request's own."""
    scheme = request.headers.get("x-forwarded-proto") or request.url.scheme
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or request.url.netloc
    return f"{scheme}://{host}"


def _same_origin(request: Request) -> bool:
    expected = public_origin(request)
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == expected
    referer = request.headers.get("referer")
    return referer is not None and (referer == expected or referer.startswith(expected + "/"))


async def verify_csrf(request: Request) -> None:
    if request.method in _SAFE_METHODS:
        return
    if not _same_origin(request):
        raise CsrfRefused()
    session = read_session(request)
    if session is None:
        raise CsrfRefused()
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not token or not cookie_jar(request).csrf_matches(session, token):
        raise CsrfRefused()
