"""The error classes: each says its status; the headers it answers with derive from its attributes."""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from shared.errors._style import ErrorStyle


class ServiceError(Exception):
    """An expected refusal: a 4xx with a stable code. Subclass per service for domain errors.

    The class says the status (`status_code`); the code raising it never picks one. Where seeds
    disagree on one refusal's status (a wrong password is 401 in 001/002 and 400 in 003/004),
    `status_by_style` says so once; where a seed documents one refusal in another shape, `style`
    fixes it. Response headers are never passed in: a subclass derives them from typed
    attributes in `headers` (see `RateLimited`, `ServiceUnavailable`, `NotAuthenticated`).
    """

    status_code: ClassVar[int] = 400
    code: str = "INVALID_REQUEST"
    message: str = "Solicitud inválida."
    status_by_style: ClassVar[Mapping[ErrorStyle, int]] = {}
    style: ClassVar[ErrorStyle | None] = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = dict(details or {})
        self.fields = {name: list(msgs) for name, msgs in (fields or {}).items()}
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """The response headers this refusal answers with (none unless a subclass says)."""
        return {}

    def status_for(self, style: ErrorStyle) -> int:
        return self.status_by_style.get(style, self.status_code)


class InvalidRequest(ServiceError):
    status_code = 400
    code = "INVALID_REQUEST"
    message = "Solicitud inválida."


class NotAuthenticated(ServiceError):
    """401, with the scheme the client should authenticate with (`WWW-Authenticate`)."""

    status_code = 401
    code = "UNAUTHORIZED"
    message = "Las credenciales de autenticación no se proveyeron o no son válidas."
    # A subclass for another credential (ingest's `Node <token>`) names its own scheme.
    scheme: ClassVar[str] = "Bearer"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.scheme}


class PermissionDenied(ServiceError):
    status_code = 403
    code = "FORBIDDEN"
    message = "No tiene permiso para realizar esta acción."


class NotFound(ServiceError):
    status_code = 404
    code = "NOT_FOUND"
    message = "No encontrado."


class Conflict(ServiceError):
    status_code = 409
    code = "CONFLICT"
    message = "El recurso ya existe."


class RateLimited(ServiceError):
    """429. What is known of the limit is said in headers: `Retry-After` (seconds) and the
    `X-RateLimit-Limit` / `-Remaining` / `-Reset` (Unix time the window ends) trio; each is
    sent only when given."""

    status_code = 429
    code = "RATE_LIMITED"
    message = "Demasiadas solicitudes. Intente más tarde."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int | None = None,
        limit: int | None = None,
        remaining: int | None = None,
        reset: int | None = None,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = retry_after
        self.limit = limit
        self.remaining = remaining
        self.reset = reset

    @property
    def headers(self) -> dict[str, str]:
        named = {
            "Retry-After": self.retry_after,
            "X-RateLimit-Limit": self.limit,
            "X-RateLimit-Remaining": self.remaining,
            "X-RateLimit-Reset": self.reset,
        }
        return {name: str(value) for name, value in named.items() if value is not None}


class ServiceUnavailable(ServiceError):
    """503: a dependency (NATS, the database, an upstream) is away: nothing was accepted, try
    again in `retry_after` seconds (the `Retry-After` header)."""

    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "Servicio no disponible temporalmente. Intente de nuevo."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int = 5,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
