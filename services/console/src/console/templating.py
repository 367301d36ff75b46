"""`render(request, "farm/field.html", {...})`: a Jinja2 page (autoescaped) with what every
page shows: the user, the workspace, the nav, the CSRF token.

Templates live in `templates/<page>/`; they extend `base.html` (blocks `title`, `content`,
`scripts`). `partial=True` renders a template for an htmx swap: `base.html` then sends only
the `content` block, no document around it.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from console.access import ConsoleUser
from console.csrf import CSRF_FIELD
from console.nav import visible
from console.session_state import cookie_jar, read_session

__all__ = ["environment", "render"]

TEMPLATES = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,  # a misspelt variable fails the page's test instead of showing ""
    trim_blocks=True,
    lstrip_blocks=True,
)


def _csrf_token(request: Request) -> str:
    session = read_session(request)
    return cookie_jar(request).csrf_token(session) if session is not None else ""


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    partial: bool = False,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    user = getattr(request.state, "console_user", None)
    user = user if isinstance(user, ConsoleUser) else None
    token = _csrf_token(request)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "nav": visible(user),
        "current_path": request.url.path,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token)),
        "partial": partial,
        **(context or {}),
    }
    html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))
