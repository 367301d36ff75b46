"""The route table: which service answers which public path, and which paths need no token.

Add a service's seed paths here as the service lands.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import ErrorStyle

ANY = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    path: str
    upstream: str
    prefix: bool = False
    # Methods that need no token at the gateway (the service may still check other credentials).
    public: frozenset[str] = frozenset()
    # The error shape of this route family's seed, for the gateway's own refusals.
    style: ErrorStyle = ErrorStyle.AGENT
    websocket: bool = False
    # Overrides the gateway's body limit (settings.max_body_bytes) for this route.
    max_body_bytes: int | None = None

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


def _post(*paths: str, upstream: str, style: ErrorStyle) -> list[Route]:
    return [Route(p, upstream, public=frozenset({"POST"}), style=style) for p in paths]


ROUTES: list[Route] = [
    # auth: every seed's login (001, 002, 003, 004) and the keys every service verifies with.
    Route("/.well-known/jwks.json", "auth", public=frozenset({"GET"})),
    Route("/token", "auth", public=frozenset({"POST"}), style=ErrorStyle.FASTAPI),
    Route("/users/", "auth", public=frozenset({"POST"}), style=ErrorStyle.FASTAPI),
    *_post("/api/auth/login", upstream="auth", style=ErrorStyle.AGENT),
    *_post("/api/auth/login/", upstream="auth", style=ErrorStyle.DESK),
    Route("/api/auth/logout/", "auth", style=ErrorStyle.DESK),
    *_post("/auth/login/", "/auth/token/", upstream="auth", style=ErrorStyle.AGRO),
    Route("/auth/logout/", "auth", style=ErrorStyle.AGRO),
    Route("/auth/me/", "auth", style=ErrorStyle.AGRO),
    Route("/api/rbac/", "auth", prefix=True, style=ErrorStyle.AGRO),
    Route("/api/user/", "auth", prefix=True, style=ErrorStyle.AGRO),
    # Prospective farmers apply without an account.
    Route("/api/user/prospectos/", "auth", public=frozenset({"POST"}), style=ErrorStyle.AGRO),
    Route("/api/v1/tenants/", "auth", prefix=True, style=ErrorStyle.AGRO),
    # agro (004)
    *[
        Route(prefix, "agro", prefix=True, style=ErrorStyle.AGRO)
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
    Route("/api/planes/", "agro", prefix=True, public=frozenset({"GET"}), style=ErrorStyle.AGRO),
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
