"""The route table: which service answers which public path, and which paths need no token.

Add a service's seed paths here as the service lands.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import ErrorStyle, seed_style

ANY = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    path: str
    upstream: str
    prefix: bool = False
    # Methods that need no token at the gateway (the service may still check other credentials).
    public: frozenset[str] = frozenset()
    websocket: bool = False
    # Overrides the gateway's body limit (settings.max_body_bytes) for this route.
    max_body_bytes: int | None = None
    # False where the service enforces its own quota: sensor nodes post under their plan's
    # daily limit, and many share one address behind a field's NAT.
    rate_limited: bool = True

    @property
    def style(self) -> ErrorStyle:
        """The error shape of this route family's seed, for the gateway's own refusals."""
        return seed_style(self.path)

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


GUEST_PATHS = (
    "/api/chat/start_chat/", "/api/chat/complete_chat/", "/api/chat/validate_session/", "/api/chat/send_message/",
    "/api/chat/get_chat_status/", "/api/messages/send_guest_message/", "/api/user-notifications/get_notifications/",
    "/api/user-notifications/mark_read/",
)  # fmt: skip


def _post(*paths: str, upstream: str) -> list[Route]:
    return [Route(p, upstream, public=frozenset({"POST"})) for p in paths]


ROUTES: list[Route] = [
    # auth: every seed's login (001, 002, 003, 004) and the keys every service verifies with.
    Route("/.well-known/jwks.json", "auth", public=frozenset({"GET"})),
    Route("/token", "auth", public=frozenset({"POST"})),
    Route("/users/", "auth", public=frozenset({"POST"})),
    *_post("/api/auth/login", upstream="auth"),
    *_post("/api/auth/login/", upstream="auth"),
    Route("/api/auth/logout/", "auth"),
    *_post("/auth/login/", "/auth/token/", upstream="auth"),
    Route("/auth/logout/", "auth"),
    Route("/auth/me/", "auth"),
    Route("/api/rbac/", "auth", prefix=True),
    Route("/api/user/", "auth", prefix=True),
    # Prospective farmers apply without an account.
    Route("/api/user/prospectos/", "auth", public=frozenset({"POST"})),
    Route("/api/v1/tenants/", "auth", prefix=True),
    # A workspace's team: members, invitations (accepted without a token), API keys, refresh.
    Route("/api/v1/members/", "auth", prefix=True),
    Route("/api/v1/invitations/", "auth", prefix=True),
    Route("/api/v1/invitations/accept/", "auth", public=frozenset({"POST"})),
    Route("/api/v1/api-keys/", "auth", prefix=True),
    *_post("/auth/refresh/", "/api/auth/refresh/", upstream="auth"),
    # agro (004)
    *[
        Route(prefix, "agro", prefix=True)
        for prefix in (
            "/api/cultivos/",
            "/api/variedades/",
            "/api/etapas/",
            "/api/reglas/",
            "/api/parcelas/",
            "/api/nodos/",
            "/api/secundarios/",
            "/api/tareas/",
            "/api/recomendaciones/",
        )
    ],
    # The plan catalogue is public to read.
    Route("/api/planes/", "agro", prefix=True, public=frozenset({"GET"})),
    # ingest (004): nodes authenticate with `Authorization: Node <token>`, checked by ingest.
    Route("/api/nodes/ingest/", "ingest", public=frozenset({"POST"}), rate_limited=False),
    # brain (004)
    Route("/api/brain/", "brain", prefix=True),
    # webhooks and metrics (002)
    Route("/api/webhooks", "webhooks"),
    Route("/api/webhooks/", "webhooks", prefix=True),
    Route("/api/metrics", "webhooks"),
    # bots and AI chat (001, 002, 004); 002's WebSocket authenticates in its first frame.
    Route("/bots/", "bots", prefix=True),
    Route("/chat/", "bots", prefix=True),
    Route("/api/chat", "bots"),
    Route("/api/conversations", "bots"),
    Route("/api/conversations/", "bots", prefix=True),
    Route("/api/config", "bots"),
    Route("/api/ai/", "bots", prefix=True),
    Route("/api/tools", "bots"),
    Route("/api/tools/", "bots", prefix=True),
    Route("/api/learned-apis", "bots"),
    Route("/api/learned-apis/", "bots", prefix=True),
    Route("/ws", "bots", websocket=True),
    # 000's agents, knowledge bases and documents (bots); uploads may be larger than a JSON body.
    Route("/api/v1/agents/", "bots", prefix=True),
    Route("/api/v1/knowledge/", "bots", prefix=True),
    Route("/api/v1/documents/", "bots", prefix=True, max_body_bytes=11 * 1024 * 1024),
    # chat: the support desk (003) and 000's chats. Guests carry no token (their room's guest
    # token is checked by chat); the desk's WebSocket authenticates in its first frame.
    *[Route(path, "chat", public=ANY) for path in GUEST_PATHS],
    Route("/api/chat/ws/", "chat", websocket=True),
    Route("/api/chat-rooms/", "chat", prefix=True),
    Route("/api/messages/", "chat", prefix=True),
    Route("/api/notifications/", "chat", prefix=True),
    Route("/api/agents/", "chat", prefix=True),
    Route("/api/v1/chats/", "chat", prefix=True),
]


class RouteTable:
    """Exact paths by dict lookup, then prefixes longest first."""

    def __init__(self, routes: Iterable[Route]) -> None:
        routes = list(routes)
        self._exact = {route.path: route for route in routes if not route.prefix}
        self._prefixes = sorted((r for r in routes if r.prefix), key=lambda r: len(r.path), reverse=True)

    def resolve(self, path: str) -> Route | None:
        route = self._exact.get(path)
        if route is not None:
            return route
        return next((r for r in self._prefixes if r.matches(path)), None)

    @property
    def upstreams(self) -> set[str]:
        return {r.upstream for r in [*self._exact.values(), *self._prefixes]}
