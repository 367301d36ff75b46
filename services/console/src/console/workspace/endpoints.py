"""The Workspace pages (`/console/workspace/...`): members and invitations, roles, API keys, AI
integrations, webhooks with their delivery log; and the invitation's acceptance page.

Each action calls the API as the signed-in user and renders the page again with the API's real
answer: a secret the API shows once (an invitation's link, an API key, a webhook's secret) is
shown in that answer only, and never cached.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.access import ConsoleUser, UserDep, require
from console.cookies import SessionData
from console.csrf import public_origin
from console.errors import ApiError, Forbidden
from console.gateway import GatewayDep, PublicGatewayDep
from console.session_state import CookieJarDep, SessionDataDep
from console.templating import render
from console.workspace import service

router = APIRouter(prefix="/console", include_in_schema=False)

CanSeeTeam = Annotated[ConsoleUser, Depends(require("usuarios:ver"))]
CanInvite = Annotated[ConsoleUser, Depends(require("usuarios:crear"))]
CanChangeRoles = Annotated[ConsoleUser, Depends(require("usuarios:actualizar"))]
CanRemove = Annotated[ConsoleUser, Depends(require("usuarios:eliminar"))]
CanSeeRoles = Annotated[ConsoleUser, Depends(require("administracion:ver"))]
CanManageAi = Annotated[ConsoleUser, Depends(require("ia:actualizar"))]
CanSeeWorkspace = Annotated[ConsoleUser, Depends(require("espacio:ver"))]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{1,32}$")]
WebhookId = Annotated[str, Path(pattern=r"^wh_\d{1,18}$")]
ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@dataclass(frozen=True)
class Tab:
    label: str
    href: str
    permission: str


TABS = (
    Tab("Miembros e invitaciones", "/console/workspace/members/", "usuarios:ver"),
    Tab("Roles", "/console/workspace/roles/", "administracion:ver"),
    Tab("Claves de API", "/console/workspace/keys/", "usuarios:ver"),
    Tab("Integraciones de IA", "/console/workspace/ai/", "ia:actualizar"),
    Tab("Webhooks", "/console/workspace/webhooks/", "espacio:ver"),
)


@dataclass(frozen=True)
class Notice:
    """The outcome of an action, shown above the page's content (an error is `role="alert"`)."""

    text: str
    error: bool = False


def _tabs(user: ConsoleUser, current: str) -> list[dict[str, Any]]:
    return [
        {"label": tab.label, "href": tab.href, "current": tab.href == current}
        for tab in TABS
        if user.can(tab.permission)
    ]


def _page(
    request: Request,
    user: ConsoleUser,
    template: str,
    current: str,
    context: dict[str, Any],
    *,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    # Every console page is sent `Cache-Control: no-store` (console.security_headers), so a
    # secret shown once here stays in no cache.
    return render(
        request,
        f"workspace/{template}",
        {"user": user, "tabs": _tabs(user, current), "notice": notice, **context},
        status=status,
    )


def _refused(error: ApiError) -> Notice:
    return Notice(error.message, error=True)


@router.get("/workspace/")
async def workspace_home(user: UserDep) -> Response:
    """The first Workspace page the user may see; 403 when none."""
    for tab in TABS:
        if user.can(tab.permission):
            return RedirectResponse(tab.href, status_code=303)
    raise Forbidden()


# Members and invitations.


async def _members_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    *,
    page: int = 1,
    invitations_page: int = 1,
    notice: Notice | None = None,
    status: int = 200,
    invited: dict[str, Any] | None = None,
) -> HTMLResponse:
    members = await service.members(gw, page=page)
    invitations = await service.invitations(gw, page=invitations_page)
    roles = await service.role_names(gw) if user.can("administracion:ver") else list(service.ROLE_NAMES)
    link = service.acceptance_link(public_origin(request), invited["accept_token"]) if invited else None
    return _page(
        request,
        user,
        "members.html",
        "/console/workspace/members/",
        {
            "members": members,
            "invitations": invitations,
            "roles": roles,
            "invited": invited,
            "invitation_link": link,
            "statuses": service.INVITATION_STATUS,
        },
        notice=notice,
        status=status,
    )


@router.get("/workspace/members/")
async def members_page(
    request: Request, user: CanSeeTeam, gw: GatewayDep, page: PageNumber = 1, invitations_page: PageNumber = 1
) -> HTMLResponse:
    """The workspace's people with their roles, and its invitations."""
    return await _members_page(request, user, gw, page=page, invitations_page=invitations_page)


@router.post("/workspace/invitations/")
async def invite(
    request: Request,
    user: CanInvite,
    gw: GatewayDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=50)],
) -> HTMLResponse:
    """Invite a person: the answer shows the acceptance link once."""
    try:
        invited = await service.invite(gw, email=email.strip(), role=role)
    except ApiError as error:
        return await _members_page(request, user, gw, notice=_refused(error), status=error.status)
    notice = Notice(f"Invitación enviada a {invited['email']} como {invited['role']}.")
    return await _members_page(request, user, gw, notice=notice, invited=invited, status=201)


@router.post("/workspace/invitations/{invitation_id}/resend/")
async def resend_invitation(
    request: Request,
    user: CanInvite,
    gw: GatewayDep,
    invitation_id: ItemId,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=50)],
) -> HTMLResponse:
    """A new invitation to the same email and role: the API withdraws the pending one, so only
    the new link works."""
    try:
        invited = await service.invite(gw, email=email, role=role)
    except ApiError as error:
        return await _members_page(request, user, gw, notice=_refused(error), status=error.status)
    notice = Notice(f"Invitación reenviada a {invited['email']}: el enlace anterior ya no sirve.")
    return await _members_page(request, user, gw, notice=notice, invited=invited, status=201)


@router.post("/workspace/invitations/{invitation_id}/revoke/")
async def revoke_invitation(request: Request, user: CanInvite, gw: GatewayDep, invitation_id: ItemId) -> HTMLResponse:
    """Withdraw a pending invitation: its link stops working."""
    try:
        await service.revoke_invitation(gw, invitation_id)
    except ApiError as error:
        return await _members_page(request, user, gw, notice=_refused(error), status=error.status)
    return await _members_page(request, user, gw, notice=Notice("Invitación retirada: su enlace ya no sirve."))


@router.post("/workspace/members/{user_id}/role/")
async def change_role(
    request: Request, user: CanChangeRoles, gw: GatewayDep, user_id: ItemId, role: Annotated[str, Form(max_length=50)]
) -> HTMLResponse:
    """Give a member another role; the API ends their current tokens at once."""
    try:
        member = await service.change_role(gw, user_id, role=role)
    except ApiError as error:
        return await _members_page(request, user, gw, notice=_refused(error), status=error.status)
    notice = Notice(f"{member['username']} ahora es {member['role']}.")
    return await _members_page(request, user, gw, notice=notice)


@router.post("/workspace/members/{user_id}/remove/")
async def remove_member(request: Request, user: CanRemove, gw: GatewayDep, user_id: ItemId) -> HTMLResponse:
    """Remove a member: their sessions, tokens and API keys stop working at once."""
    try:
        await service.remove_member(gw, user_id)
    except ApiError as error:
        return await _members_page(request, user, gw, notice=_refused(error), status=error.status)
    return await _members_page(request, user, gw, notice=Notice("Miembro quitado del espacio."))


# Roles.


@router.get("/workspace/roles/")
async def roles_page(request: Request, user: CanSeeRoles, gw: GatewayDep) -> HTMLResponse:
    """Each role's permissions, module by module (the catalogue is the platform's: read only)."""
    matrix = await service.role_matrix(gw)
    return _page(request, user, "roles.html", "/console/workspace/roles/", {"matrix": matrix})


# API keys.


async def _keys_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    *,
    page: int = 1,
    notice: Notice | None = None,
    status: int = 200,
    created: dict[str, Any] | None = None,
) -> HTMLResponse:
    keys = await service.api_keys(gw, page=page)
    roles = await service.role_names(gw) if user.can("administracion:ver") else [user.role]
    return _page(
        request,
        user,
        "keys.html",
        "/console/workspace/keys/",
        {
            "keys": keys,
            "roles": roles,
            "grantable": sorted(user.permissions),
            "created": created,
            "key_states": service.KEY_STATES,
        },
        notice=notice,
        status=status,
    )


@router.get("/workspace/keys/")
async def keys_page(request: Request, user: CanSeeTeam, gw: GatewayDep, page: PageNumber = 1) -> HTMLResponse:
    """The workspace's API keys (never a key itself, only its first characters)."""
    return await _keys_page(request, user, gw, page=page)


@router.post("/workspace/keys/")
async def create_key(
    request: Request,
    user: CanInvite,
    gw: GatewayDep,
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=50)] = "",
    permissions: Annotated[list[str] | None, Form()] = None,
    expires_on: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Create a key with a role or some of the user's own permissions: shown once."""
    try:
        expires_at = _end_of_day(expires_on)
    except ValueError:
        notice = Notice("La fecha de vencimiento no es válida.", error=True)
        return await _keys_page(request, user, gw, notice=notice, status=400)
    try:
        created = await service.create_api_key(
            gw, name=name.strip(), role=role or None, permissions=permissions or None, expires_at=expires_at
        )
    except ApiError as error:
        return await _keys_page(request, user, gw, notice=_refused(error), status=error.status)
    notice = Notice(f"Clave «{created['name']}» creada. Cópiela ahora: no se volverá a mostrar.")
    return await _keys_page(request, user, gw, notice=notice, created=created, status=201)


def _end_of_day(day: str) -> datetime | None:
    """A `<input type=date>` value as the last second of that day (UTC), or None when empty."""
    if not day:
        return None
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=UTC)


@router.post("/workspace/keys/{key_id}/revoke/")
async def revoke_key(request: Request, user: CanRemove, gw: GatewayDep, key_id: KeyId) -> HTMLResponse:
    """Revoke a key: every service refuses it at once."""
    try:
        await service.revoke_api_key(gw, key_id)
    except ApiError as error:
        return await _keys_page(request, user, gw, notice=_refused(error), status=error.status)
    return await _keys_page(request, user, gw, notice=Notice("Clave revocada: ya no funciona."))


# AI integrations.


async def _ai_page(
    request: Request, user: ConsoleUser, gw: GatewayDep, *, notice: Notice | None = None, status: int = 200
) -> HTMLResponse:
    integrations = await service.integrations(gw)
    return _page(
        request,
        user,
        "integrations.html",
        "/console/workspace/ai/",
        {"integrations": integrations, "providers": service.PROVIDERS},
        notice=notice,
        status=status,
    )


@router.get("/workspace/ai/")
async def ai_page(request: Request, user: CanManageAi, gw: GatewayDep) -> HTMLResponse:
    """The workspace's AI providers; a stored key is never shown back, only whether there is one."""
    return await _ai_page(request, user, gw)


@router.post("/workspace/ai/")
async def create_integration(
    request: Request,
    user: CanManageAi,
    gw: GatewayDep,
    nombre: Annotated[str, Form(max_length=100)],
    provider: Annotated[str, Form(max_length=40)],
    api_key: Annotated[str, Form(max_length=500)] = "",
    base_url: Annotated[str, Form(max_length=2000)] = "",
    enabled: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Connect the workspace with an AI provider."""
    try:
        created = await service.create_integration(
            gw, nombre=nombre.strip(), provider=provider, api_key=api_key or None, base_url=base_url.strip() or None,
            enabled=enabled,
        )  # fmt: skip
    except ApiError as error:
        return await _ai_page(request, user, gw, notice=_refused(error), status=error.status)
    return await _ai_page(request, user, gw, notice=Notice(f"Integración «{created['nombre']}» creada."), status=201)


@router.post("/workspace/ai/{integration_id}/")
async def update_integration(
    request: Request,
    user: CanManageAi,
    gw: GatewayDep,
    integration_id: ItemId,
    api_key: Annotated[str, Form(max_length=500)] = "",
    enabled: Annotated[bool | None, Form()] = None,
) -> HTMLResponse:
    """Replace the stored key, or turn the integration on or off (only what the form sends)."""
    changes: dict[str, Any] = {}
    if api_key:
        changes["api_key"] = api_key
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        notice = Notice("Nada que cambiar: escriba una clave nueva.", error=True)
        return await _ai_page(request, user, gw, notice=notice, status=400)
    try:
        changed = await service.update_integration(gw, integration_id, changes)
    except ApiError as error:
        return await _ai_page(request, user, gw, notice=_refused(error), status=error.status)
    what = "su clave fue reemplazada" if api_key else ("activada" if changed["enabled"] else "desactivada")
    return await _ai_page(request, user, gw, notice=Notice(f"Integración «{changed['nombre']}»: {what}."))


@router.post("/workspace/ai/{integration_id}/delete/")
async def delete_integration(
    request: Request, user: CanManageAi, gw: GatewayDep, integration_id: ItemId
) -> HTMLResponse:
    """Delete an integration and its key."""
    try:
        await service.delete_integration(gw, integration_id)
    except ApiError as error:
        return await _ai_page(request, user, gw, notice=_refused(error), status=error.status)
    return await _ai_page(request, user, gw, notice=Notice("Integración eliminada."))


# Webhooks.


async def _webhooks_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    *,
    notice: Notice | None = None,
    status: int = 200,
    created: dict[str, Any] | None = None,
) -> HTMLResponse:
    hooks = await service.webhooks(gw)
    events = await service.webhook_events(gw)
    return _page(
        request,
        user,
        "webhooks.html",
        "/console/workspace/webhooks/",
        {"webhooks": hooks, "events": events, "created": created},
        notice=notice,
        status=status,
    )


@router.get("/workspace/webhooks/")
async def webhooks_page(request: Request, user: CanSeeWorkspace, gw: GatewayDep) -> HTMLResponse:
    """The workspace's webhooks and the events they may subscribe to."""
    return await _webhooks_page(request, user, gw)


@router.post("/workspace/webhooks/")
async def create_webhook(
    request: Request,
    user: CanSeeWorkspace,
    gw: GatewayDep,
    url: Annotated[str, Form(max_length=2000)],
    events: Annotated[list[str] | None, Form()] = None,
    secret: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Subscribe a URL to events: the answer shows its signing secret once."""
    if not events:
        notice = Notice("Elija al menos un evento.", error=True)
        return await _webhooks_page(request, user, gw, notice=notice, status=400)
    try:
        created = await service.create_webhook(gw, url=url.strip(), events=events, secret=secret or None)
    except ApiError as error:
        return await _webhooks_page(request, user, gw, notice=_refused(error), status=error.status)
    notice = Notice("Webhook creado. Copie su secreto de firma ahora: no se volverá a mostrar.")
    return await _webhooks_page(request, user, gw, notice=notice, created=created, status=201)


async def _webhook_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    webhook_id: str,
    *,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    hook = await service.webhook(gw, webhook_id)
    deliveries = await service.deliveries(gw, webhook_id)
    return _page(
        request,
        user,
        "webhook.html",
        "/console/workspace/webhooks/",
        {"webhook": hook, "deliveries": deliveries, "delivery_status": service.DELIVERY_STATUS},
        notice=notice,
        status=status,
    )


@router.get("/workspace/webhooks/{webhook_id}/")
async def webhook_page(request: Request, user: CanSeeWorkspace, gw: GatewayDep, webhook_id: WebhookId) -> HTMLResponse:
    """A webhook with its delivery log (newest first)."""
    return await _webhook_page(request, user, gw, webhook_id)


@router.get("/workspace/webhooks/{webhook_id}/deliveries/")
async def webhook_deliveries(
    request: Request, user: CanSeeWorkspace, gw: GatewayDep, webhook_id: WebhookId
) -> HTMLResponse:
    """The delivery log alone, which the page reloads while a delivery is pending."""
    deliveries = await service.deliveries(gw, webhook_id)
    return render(
        request,
        "workspace/_deliveries.html",
        {"webhook": {"id": webhook_id}, "deliveries": deliveries, "delivery_status": service.DELIVERY_STATUS},
    )


@router.post("/workspace/webhooks/{webhook_id}/test/")
async def test_webhook(request: Request, user: CanSeeWorkspace, gw: GatewayDep, webhook_id: WebhookId) -> HTMLResponse:
    """Queue a `webhook.test` delivery; its outcome appears in the log."""
    try:
        await service.send_test(gw, webhook_id)
    except ApiError as error:
        return await _webhook_page(request, user, gw, webhook_id, notice=_refused(error), status=error.status)
    notice = Notice("Evento de prueba encolado: su resultado aparece en el registro de entregas.")
    return await _webhook_page(request, user, gw, webhook_id, notice=notice, status=202)


@router.post("/workspace/webhooks/{webhook_id}/active/")
async def set_webhook_active(
    request: Request,
    user: CanSeeWorkspace,
    gw: GatewayDep,
    webhook_id: WebhookId,
    active: Annotated[bool, Form()],
) -> HTMLResponse:
    """Turn a webhook on (also one the platform disabled after a day of failures) or off."""
    try:
        hook = await service.set_webhook_active(gw, webhook_id, active=active)
    except ApiError as error:
        return await _webhook_page(request, user, gw, webhook_id, notice=_refused(error), status=error.status)
    notice = Notice("Webhook activado." if hook["active"] else "Webhook desactivado.")
    return await _webhook_page(request, user, gw, webhook_id, notice=notice)


@router.post("/workspace/webhooks/{webhook_id}/delete/")
async def delete_webhook(
    request: Request, user: CanSeeWorkspace, gw: GatewayDep, webhook_id: WebhookId
) -> HTMLResponse:
    """Delete a webhook; its pending deliveries are not sent."""
    try:
        await service.delete_webhook(gw, webhook_id)
    except ApiError as error:
        return await _webhook_page(request, user, gw, webhook_id, notice=_refused(error), status=error.status)
    return await _webhooks_page(request, user, gw, notice=Notice("Webhook eliminado."))


# The invitation's acceptance (public: the link's token is the credential).

ACCEPTANCE = "workspace/accept.html"


def _acceptance(
    request: Request,
    *,
    token: str,
    invitation: dict[str, Any] | None,
    error: str | None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"token": token, "invitation": invitation, "error": error, "form": form or {}}
    return render(request, ACCEPTANCE, context, status=status)


@router.get("/invitation/")
async def invitation_page(
    request: Request,
    gw: PublicGatewayDep,
    session: SessionDataDep,
    jar: CookieJarDep,
    token: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """What the invitation offers (workspace, email, role) and the form to join; or why it no
    longer works. The form posts under CSRF like every other: a visitor without a session gets
    an anonymous one, as on the login page."""
    fresh = session is None
    if session is None:
        session = SessionData.anonymous()
        request.state.console_session = session
    if not token:
        response = _acceptance(
            request, token="", invitation=None, error="El enlace no trae una invitación.", status=400
        )
    else:
        try:
            invitation = await service.preview_invitation(gw, token)
        except ApiError as refused:
            response = _acceptance(request, token=token, invitation=None, error=refused.message, status=refused.status)
        else:
            response = _acceptance(request, token=token, invitation=invitation, error=None)
    if fresh:
        jar.write(response, session)
    return response


@router.post("/invitation/")
async def accept_invitation(
    request: Request,
    gw: PublicGatewayDep,
    jar: CookieJarDep,
    token: Annotated[str, Form(max_length=200)],
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=256)],
    password_again: Annotated[str, Form(max_length=256)],
    nombres: Annotated[str, Form(max_length=150)] = "",
    apellidos: Annotated[str, Form(max_length=150)] = "",
) -> Response:
    """Join: the API makes the account and answers like a login, so the new member is signed in
    here at once and lands on the console's home page."""
    form = {"username": username, "nombres": nombres, "apellidos": apellidos}
    try:
        invitation = await service.preview_invitation(gw, token)
    except ApiError as refused:
        return _acceptance(request, token=token, invitation=None, error=refused.message, status=refused.status)
    if password != password_again:
        error = "Las contraseñas no coinciden."
        return _acceptance(request, token=token, invitation=invitation, error=error, form=form, status=400)
    try:
        joined = await service.accept_invitation(
            gw, token=token, username=username.strip(), password=password, nombres=nombres, apellidos=apellidos
        )
    except ApiError as refused:
        return _acceptance(
            request, token=token, invitation=invitation, error=refused.message, form=form, status=refused.status
        )
    response = RedirectResponse("/console/", status_code=303)
    jar.write(response, SessionData.signed_in_with(str(joined["token"]), joined.get("refresh_token")))
    return response
