"""`/console/widget/?tenant=<id>`: the guest's chat, a page a website embeds in an iframe. No
console session: the guest is nobody's user, and their own guest token (from complete_chat)
is the only credential their browser holds."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.gateway import PublicGatewayDep
from console.templating import render
from console.widget import service

router = APIRouter(prefix="/console/widget", include_in_schema=False)


@router.get("/")
async def widget(request: Request, gw: PublicGatewayDep, tenant: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The widget: the first message, the guest's contact details (and reCAPTCHA when the
    desk asks for it), then the chat, live."""
    settings = await service.widget_settings(gw)
    headers = {"Content-Security-Policy": service.content_security_policy(recaptcha=settings.recaptcha_required)}
    context: dict[str, object] = {"settings": settings, "tenant": tenant, "recaptcha_script": service.RECAPTCHA_SCRIPT}
    return render(request, "widget/index.html", context, status=400 if tenant is None else 200, headers=headers)
