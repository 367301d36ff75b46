"""Resolving a request path to its route in the one public path table (`shared.routes`).

The table itself (which service answers which path, which paths need no token, each path's
seed style) lives in shared, where every service reads the style of its own paths.
"""

from collections.abc import Iterable

from shared.routes import ROUTES, Family, Route

__all__ = ["ROUTES", "Route", "RouteTable"]


class RouteTable:
    """Exact paths by dict lookup, then prefixes longest first; `Family` entries route nothing."""

    def __init__(self, entries: Iterable[Route | Family]) -> None:
        routes = [entry for entry in entries if isinstance(entry, Route)]
        self._exact = {route.path: route for route in routes if not route.prefix}
        self._prefixes = sorted((r for r in routes if r.prefix), key=lambda r: len(r.path), reverse=True)

    def resolve(self, path: str) -> Route | None:
        route = self._exact.get(path)
        if route is not None:
            return route
        return next((r for r in self._prefixes if r.matches(path)), None)

    @property
    def upstreams(self) -> set[str]:
        return {r.service for r in [*self._exact.values(), *self._prefixes]}
