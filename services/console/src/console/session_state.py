"""The request's session, read once from its cookie (`console.cookies`)."""

from typing import Annotated

from fastapi import Depends, Request

from console.cookies import COOKIE_NAME, CookieJar, SessionData

__all__ = ["CookieJarDep", "SessionDataDep", "cookie_jar", "read_session"]

_UNREAD = object()


def cookie_jar(request: Request) -> CookieJar:
    jar: CookieJar = request.app.state.cookies
    return jar


def read_session(request: Request) -> SessionData | None:
    """The session in the request's cookie (None: missing or unreadable), cached per request."""
    cached = getattr(request.state, "console_session", _UNREAD)
    if cached is _UNREAD:
        cached = cookie_jar(request).read(request.cookies.get(COOKIE_NAME))
        request.state.console_session = cached
    assert cached is None or isinstance(cached, SessionData)
    return cached


CookieJarDep = Annotated[CookieJar, Depends(cookie_jar)]
SessionDataDep = Annotated[SessionData | None, Depends(read_session)]
