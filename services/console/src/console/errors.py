"""Every refusal of the console. Each is rendered as an HTML page (`console.main`), except
`NotSignedIn`, which sends the browser to the login page."""

from typing import Any

from shared.errors import NotAuthenticated, PermissionDenied, ServiceError

__all__ = ["ApiError", "CsrfRefused", "Forbidden", "GatewayUnavailable", "NotSignedIn"]


class NotSignedIn(NotAuthenticated):
    """No session cookie, an unreadable one, or a token the API refused (revoked, expired)."""

    code = "NOT_SIGNED_IN"
    message = "Inicie sesión para continuar."


class CsrfRefused(PermissionDenied):
    """A non-GET request without the session's CSRF token or from another origin."""

    code = "CSRF_REFUSED"
    message = "No se pudo verificar el origen de la petición. Recargue la página e inténtelo de nuevo."


class Forbidden(PermissionDenied):
    """The user's permissions do not include what the page needs (`console.access.require`)."""

    code = "FORBIDDEN"
    message = "Su rol no tiene permiso para ver esta página."


class GatewayUnavailable(ServiceError):
    """The public API did not answer (down, timed out, or a 5xx)."""

    status_code = 503
    code = "API_UNAVAILABLE"
    message = "La API de la plataforma no responde ahora. Inténtelo de nuevo en unos segundos."


class ApiError(Exception):
    """A 4xx answer of the public API. `message` is the API's own error text, for the page to
    show as it is; `body` the parsed answer (dict, list, or text) for pages that need fields."""

    def __init__(self, status: int, body: Any, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.body = body
        self.message = message
