"""ingest's refusals: each a shared error class, rendered in 004's shape by the shared handler."""

from shared.errors import NotAuthenticated, PermissionDenied, RateLimited


class NodeNotAuthenticated(NotAuthenticated):
    """No `Authorization: Node <token>`, or a token no active node has."""

    message = "Token de nodo inválido o revocado."
    scheme = "Node"


class NodeMismatch(PermissionDenied):
    message = "El nodo maestro o la parcela no corresponden al token del nodo."


class DailyLimitReached(RateLimited):
    """The field's plan allows no more transmissions today; the headers say when it renews."""

    message = "Límite diario de lecturas del plan alcanzado."
