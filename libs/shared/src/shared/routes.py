"""The one map of public path families: which service answers each, in which seed's error shape,
and how the gateway treats it.

The gateway routes by this table (`gateway.routes`); every service renders its errors by it
(`seed_style`, wired in `create_service_app`), so a path's shape is said once. A `Route` is
forwarded by the gateway; a `Family` only names the style of the paths under it (a service's
own paths the gateway does not route one by one). Add a service's seed paths here as it lands.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import ErrorStyle

__all__ = ["ANY", "ROUTES", "Family", "Route", "seed_style", "style_for_path"]

ANY = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
_POST = frozenset({"POST"})
_GET = frozenset({"GET"})

F, A, D, G = ErrorStyle.FASTAPI, ErrorStyle.AGENT, ErrorStyle.DESK, ErrorStyle.AGRO


@dataclass(frozen=True)
class Route:
    """A public path (or, with `prefix`, every path under it) and who answers it.

    `style` is the seed's error shape for the path and everything under it, unless a longer
    entry says otherwise (`seed_style`).
    """

    path: str
    service: str
    style: ErrorStyle
    prefix: bool = False
    # Methods that need no token at the gateway (the service may still check other credentials).
    public: frozenset[str] = frozenset()
    websocket: bool = False
    # Overrides the gateway's body limit (its settings.max_body_bytes) for this route.
    max_body_bytes: int | None = None
    # False where the service enforces its own quota: sensor nodes post under their plan's
    # daily limit, and many share one address behind a field's NAT.
    rate_limited: bool = True

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


@dataclass(frozen=True)
class Family:
    """Every path under `path` is in `style` unless a longer entry says otherwise; the gateway
    routes none of it by this entry (its routed paths are listed one by one)."""

    path: str
    style: ErrorStyle


GUEST_PATHS = (
    "/api/chat/start_chat/", "/api/chat/complete_chat/", "/api/chat/validate_session/", "/api/chat/send_message/",
    "/api/chat/get_chat_status/", "/api/messages/send_guest_message/", "/api/user-notifications/get_notifications/",
    "/api/user-notifications/mark_read/", "/api/chat/widget_settings/",
)  # fmt: skip

_AGRO_PREFIXES = (
    "/api/cultivos/", "/api/variedades/", "/api/etapas/", "/api/reglas/", "/api/parcelas/", "/api/nodos/",
    "/api/secundarios/", "/api/tareas/", "/api/recomendaciones/",
)  # fmt: skip

# The services with durable consumers, each serving its own dead letters.
_CONSUMING = ("agro", "auth", "brain", "chat", "ingest", "webhooks")

ROUTES: tuple[Route | Family, ...] = (
    # auth: every seed's login (001, 002, 003, 004) and the keys every service verifies with
    # (outside every seed: 002's shape, as for any path no seed claims).
    Route("/.well-known/jwks.json", "auth", A, public=_GET),
    Route("/token", "auth", F, public=_POST),
    Route("/users/", "auth", F, public=_POST),
    Route("/api/auth/login", "auth", A, public=_POST),
    Route("/api/auth/login/", "auth", D, public=_POST),
    Route("/api/auth/logout/", "auth", D),
    Family("/auth/", G),
    Route("/auth/login/", "auth", G, public=_POST),
    Route("/auth/token/", "auth", G, public=_POST),
    Route("/auth/logout/", "auth", G),
    Route("/auth/me/", "auth", G),
    Route("/api/rbac/", "auth", G, prefix=True),
    Route("/api/user/", "auth", G, prefix=True),
    # Prospective farmers apply without an account.
    Route("/api/user/prospectos/", "auth", G, public=_POST),
    # 000's multi-tenant module follows 004's conventions.
    Family("/api/v1/", G),
    Route("/api/v1/tenants/", "auth", G, prefix=True),
    # A workspace's team: members, invitations (accepted without a token), API keys, refresh.
    Route("/api/v1/members/", "auth", G, prefix=True),
    Route("/api/v1/invitations/", "auth", G, prefix=True),
    Route("/api/v1/invitations/accept/", "auth", G, public=_POST),
    Route("/api/v1/invitations/preview/", "auth", G, public=_POST),
    Route("/api/v1/api-keys/", "auth", G, prefix=True),
    Route("/auth/refresh/", "auth", G, public=_POST),
    Route("/api/auth/refresh/", "auth", D, public=_POST),  # an addition beside 003's login and logout
    # agro (004); the plan catalogue is public to read.
    *(Route(prefix, "agro", G, prefix=True) for prefix in _AGRO_PREFIXES),
    Route("/api/planes/", "agro", G, prefix=True, public=_GET),
    # ingest (004): nodes authenticate with `Authorization: Node <token>`, checked by ingest.
    Family("/api/nodes/", G),
    Route("/api/nodes/ingest/", "ingest", G, public=_POST, rate_limited=False),
    # brain (004)
    Route("/api/brain/", "brain", G, prefix=True),
    # webhooks and metrics (002)
    Route("/api/webhooks", "webhooks", A),
    Route("/api/webhooks/", "webhooks", A, prefix=True),
    Route("/api/metrics", "webhooks", A),
    # bots and AI chat (001, 002, 004); 002's WebSocket authenticates in its first frame.
    Route("/bots/", "bots", F, prefix=True),
    Route("/chat/", "bots", F, prefix=True),
    Route("/api/chat", "bots", A),
    Route("/api/conversations", "bots", A),
    Route("/api/conversations/", "bots", A, prefix=True),
    Route("/api/config", "bots", A),
    Route("/api/ai/", "bots", G, prefix=True),
    Route("/api/tools", "bots", A),
    Route("/api/tools/", "bots", A, prefix=True),
    Route("/api/learned-apis", "bots", A),
    Route("/api/learned-apis/", "bots", A, prefix=True),
    Route("/ws", "bots", A, websocket=True),
    # 000's agents, knowledge bases and documents (bots); uploads may be larger than a JSON body.
    Route("/api/v1/agents/", "bots", G, prefix=True),
    Route("/api/v1/knowledge/", "bots", G, prefix=True),
    Route("/api/v1/documents/", "bots", G, prefix=True, max_body_bytes=11 * 1024 * 1024),
    # chat: the support desk (003) and 000's chats. Guests carry no token (their room's guest
    # token is checked by chat); the desk's WebSocket authenticates in its first frame.
    Family("/api/chat/", D),
    Family("/api/user-notifications/", D),
    *(Route(path, "chat", D, public=ANY) for path in GUEST_PATHS),
    Route("/api/chat/ws/", "chat", D, websocket=True),
    Route("/api/chat/retention/", "chat", D),
    Route("/api/chat/guests/erase/", "chat", D),
    Route("/api/chat-rooms/", "chat", D, prefix=True),
    Route("/api/messages/", "chat", D, prefix=True),
    Route("/api/notifications/", "chat", D, prefix=True),
    Route("/api/agents/", "chat", D, prefix=True),
    Route("/api/v1/chats/", "chat", G, prefix=True),
    # The console's pages: it checks its own session cookie and CSRF token, and calls this API
    # as its user (whose calls the gateway limits); uploads pass through to /api/v1/documents/.
    Route("/console/", "console", F, prefix=True, public=ANY, max_body_bytes=11 * 1024 * 1024, rate_limited=False),
    # Each consuming service's dead letters, for platform admins (`shared.dead_letters`).
    *(Route(f"/api/v1/events/{service}/", service, G, prefix=True) for service in _CONSUMING),
)


def style_for_path(routes: Iterable[Route | Family], path: str, default: ErrorStyle = ErrorStyle.AGENT) -> ErrorStyle:
    """The style of the longest entry in `routes` whose path `path` starts with (exact routes
    too: "/api/conversations" is 002's, and so is everything under it)."""
    best, best_len = default, -1
    for route in routes:
        if path.startswith(route.path) and len(route.path) > best_len:
            best, best_len = route.style, len(route.path)
    return best


def seed_style(path: str) -> ErrorStyle:
    """The error shape of the seed `path` belongs to (002's for paths no seed claims)."""
    return style_for_path(ROUTES, path)
