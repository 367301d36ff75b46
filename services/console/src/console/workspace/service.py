"""What the Workspace pages ask the API for, and how they shape it: the team (members,
invitations, roles), API keys, AI integrations and webhooks with their delivery log.

Every call goes through the gateway as the signed-in user, so the API's own checks decide what
each person may do; an `ApiError` carries the API's message to the page.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from console.gateway import Gateway

PAGE_SIZE = 50
ROLE_NAMES = ("administrador", "tecnico", "agricultor", "agente")
PROVIDERS = {
    "anthropic": "Anthropic (Claude)",
    "openai": "OpenAI",
    "ollama": "Ollama",
    "vllm": "vLLM",
    "llamacpp": "llama.cpp",
    "lmstudio": "LM Studio",
    "openai_compatible": "Compatible con OpenAI",
    "local": "Local (sin red)",
}
INVITATION_STATUS = {"pendiente": "Pendiente", "aceptada": "Aceptada", "revocada": "Revocada", "expirada": "Vencida"}
DELIVERY_STATUS = {"pending": "Pendiente", "delivered": "Entregada", "failed": "Fallida"}


@dataclass(frozen=True)
class Listing:
    """One page of a paginated API list."""

    count: int
    page: int
    results: list[dict[str, Any]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


async def _page(gw: Gateway, path: str, page: int) -> Listing:
    body = await gw.get(path, params={"page": page, "page_size": PAGE_SIZE})
    return Listing(count=int(body["count"]), page=page, results=list(body["results"]))


def when(value: str | None) -> datetime | None:
    """An API timestamp as a datetime (templates format it)."""
    return datetime.fromisoformat(value) if value else None


# The team.


async def members(gw: Gateway, *, page: int = 1) -> Listing:
    return await _page(gw, "/api/v1/members/", page)


async def invitations(gw: Gateway, *, page: int = 1) -> Listing:
    return await _page(gw, "/api/v1/invitations/", page)


async def invite(gw: Gateway, *, email: str, role: str) -> dict[str, Any]:
    """The new invitation, with its `accept_token` (the API shows it once)."""
    return dict(await gw.post("/api/v1/invitations/", json={"email": email, "role": role}))


async def revoke_invitation(gw: Gateway, invitation_id: int) -> None:
    await gw.delete(f"/api/v1/invitations/{invitation_id}/")


async def change_role(gw: Gateway, user_id: int, *, role: str) -> dict[str, Any]:
    return dict(await gw.patch(f"/api/v1/members/{user_id}/", json={"role": role}))


async def remove_member(gw: Gateway, user_id: int) -> None:
    await gw.delete(f"/api/v1/members/{user_id}/")


def acceptance_link(base_url: str, token: str) -> str:
    """The link the invitee opens: the console's acceptance page with the token."""
    return f"{base_url.rstrip('/')}/console/invitation/?{urlencode({'token': token})}"


async def preview_invitation(gw: Gateway, token: str) -> dict[str, Any]:
    return dict(await gw.post("/api/v1/invitations/preview/", json={"token": token}))


async def accept_invitation(
    gw: Gateway, *, token: str, username: str, password: str, nombres: str, apellidos: str
) -> dict[str, Any]:
    """The API's login-like answer: the new member's access and refresh tokens."""
    body = {"token": token, "username": username, "password": password, "nombres": nombres, "apellidos": apellidos}
    return dict(await gw.post("/api/v1/invitations/accept/", json=body))


@dataclass(frozen=True)
class RoleMatrix:
    """The roles as columns, the permission modules as rows, each cell the operations granted."""

    roles: list[dict[str, Any]]
    modules: list[str]
    cells: dict[tuple[str, str], list[str]] = field(default_factory=dict)


OPERATION_ORDER = ("ver", "crear", "actualizar", "eliminar")


async def role_names(gw: Gateway) -> list[str]:
    body = await gw.get("/api/rbac/roles/", params={"page_size": 100})
    return [str(role["nombre"]) for role in body["results"]]


async def role_matrix(gw: Gateway) -> RoleMatrix:
    roles = list((await gw.get("/api/rbac/roles/", params={"page_size": 100}))["results"])
    # One filtered list per role (at most a module x operation grid each: under one page).
    granted = await asyncio.gather(
        *(gw.get("/api/rbac/permissions/", params={"rol": role["id"], "page_size": 100}) for role in roles)
    )
    cells: dict[tuple[str, str], list[str]] = {}
    modules: set[str] = set()
    for role, body in zip(roles, granted, strict=True):
        for permission in body["results"]:
            module = str(permission["modulo"]["nombre"])
            modules.add(module)
            cells.setdefault((module, str(role["nombre"])), []).append(str(permission["operacion"]["nombre"]))
    for operations in cells.values():
        operations.sort(key=lambda op: OPERATION_ORDER.index(op) if op in OPERATION_ORDER else len(OPERATION_ORDER))
    return RoleMatrix(roles=roles, modules=sorted(modules), cells=cells)


# API keys.


KEY_STATES = {"active": "Activa", "revoked": "Revocada", "expired": "Vencida"}


def key_state(key: dict[str, Any], now: datetime) -> str:
    if key.get("revoked_at"):
        return "revoked"
    expires = when(key.get("expires_at"))
    return "expired" if expires is not None and expires <= now else "active"


async def api_keys(gw: Gateway, *, page: int = 1) -> Listing:
    """A page of keys, each with its `state` (active, revoked, expired)."""
    listing = await _page(gw, "/api/v1/api-keys/", page)
    now = datetime.now(UTC)
    for key in listing.results:
        key["state"] = key_state(key, now)
    return listing


async def create_api_key(
    gw: Gateway, *, name: str, role: str | None, permissions: list[str] | None, expires_at: datetime | None
) -> dict[str, Any]:
    """The new key, with the key itself (`key`): the only time the API shows it."""
    body: dict[str, Any] = {"name": name}
    if role:
        body["role"] = role
    if permissions:
        body["permissions"] = permissions
    if expires_at is not None:
        body["expires_at"] = expires_at.isoformat()
    return dict(await gw.post("/api/v1/api-keys/", json=body))


async def revoke_api_key(gw: Gateway, key_id: str) -> None:
    await gw.delete(f"/api/v1/api-keys/{key_id}/")


# AI integrations: the API never answers a stored key, only `has_api_key`.


async def integrations(gw: Gateway) -> list[dict[str, Any]]:
    return list(await gw.get("/api/ai/config/"))


async def create_integration(
    gw: Gateway, *, nombre: str, provider: str, api_key: str | None, base_url: str | None, enabled: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {"nombre": nombre, "provider": provider, "enabled": enabled}
    if api_key:
        body["api_key"] = api_key
    if base_url:
        body["base_url"] = base_url
    return dict(await gw.post("/api/ai/config/", json=body))


async def update_integration(gw: Gateway, integration_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    return dict(await gw.patch(f"/api/ai/config/{integration_id}/", json=changes))


async def delete_integration(gw: Gateway, integration_id: int) -> None:
    await gw.delete(f"/api/ai/config/{integration_id}/")


# Webhooks.


async def webhooks(gw: Gateway) -> list[dict[str, Any]]:
    return list((await gw.get("/api/webhooks"))["webhooks"])


async def webhook_events(gw: Gateway) -> list[dict[str, Any]]:
    return list((await gw.get("/api/webhooks/events"))["events"])


async def webhook(gw: Gateway, webhook_id: str) -> dict[str, Any]:
    return dict(await gw.get(f"/api/webhooks/{webhook_id}"))


async def create_webhook(gw: Gateway, *, url: str, events: list[str], secret: str | None) -> dict[str, Any]:
    """The new webhook, with its signing secret (`secret`): shown by the API only here."""
    body: dict[str, Any] = {"url": url, "events": events}
    if secret:
        body["secret"] = secret
    return dict(await gw.post("/api/webhooks", json=body))


async def set_webhook_active(gw: Gateway, webhook_id: str, *, active: bool) -> dict[str, Any]:
    return dict(await gw.patch(f"/api/webhooks/{webhook_id}", json={"active": active}))


async def delete_webhook(gw: Gateway, webhook_id: str) -> None:
    await gw.delete(f"/api/webhooks/{webhook_id}")


async def deliveries(gw: Gateway, webhook_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
    return list((await gw.get(f"/api/webhooks/{webhook_id}/deliveries", params={"limit": limit}))["deliveries"])


async def send_test(gw: Gateway, webhook_id: str) -> dict[str, Any]:
    return dict(await gw.post(f"/api/webhooks/{webhook_id}/test"))
