"""`/console/login/` and `/console/logout/`: the session cookie's life."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.cookies import SessionData
from console.errors import ApiError, NotSignedIn
from console.gateway import PublicGatewayDep, signed_in_gateway
from console.session import service
from console.session_state import CookieJarDep, SessionDataDep
from console.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)

HOME = "/console/"


def safe_next(target: str | None) -> str:
    """Only a path of the console itself: never an open redirect to another site."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(HOME) or target.startswith("//"):
        return HOME
    return target


@router.get("/login/")
async def login_page(request: Request, session: SessionDataDep, jar: CookieJarDep, next: str | None = None) -> Response:
    if session is not None and session.signed_in:
        return RedirectResponse(safe_next(next), status_code=303)  # a stale token lands back here
    # The form posts under CSRF like everything else: an anonymous session carries its nonce.
    fresh = session is None
    if session is None:
        session = SessionData.anonymous()
        request.state.console_session = session
    response = render(request, "session/login.html", {"error": None, "next": safe_next(next), "username": ""})
    if fresh:
        jar.write(response, session)
    return response


@router.post("/login/")
async def login(
    request: Request,
    gw: PublicGatewayDep,
    jar: CookieJarDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = HOME,
) -> Response:
    try:
        signed_in = await service.login(gw, username=username, password=password)
    except ApiError as refused:
        context = {"error": refused.message, "next": safe_next(next), "username": username}
        return render(request, "session/login.html", context, status=refused.status)
    response = RedirectResponse(safe_next(next), status_code=303)
    jar.write(response, SessionData.signed_in_with(signed_in.access_token, signed_in.refresh_token))
    return response


@router.post("/logout/")
async def logout(request: Request, session: SessionDataDep, jar: CookieJarDep) -> Response:
    """Revokes the token at the API, then forgets it; a token the API already refused is gone anyway."""
    try:
        await service.logout(signed_in_gateway(request, session))
    except NotSignedIn:
        pass
    response: Response = RedirectResponse("/console/login/", status_code=303)
    if request.headers.get("hx-request"):
        response = Response(status_code=204, headers={"HX-Redirect": "/console/login/"})
    jar.clear(response)
    return response
