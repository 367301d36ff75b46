"""The gateway's own refusals: an upstream away, late or malformed, a body over its route's limit."""

from shared.errors import ServiceError

__all__ = ["UPSTREAM_AWAY", "BadGateway", "PayloadTooLarge", "UpstreamTimeout", "human_bytes"]

# The message of the shared `ServiceUnavailable` when an upstream cannot be reached.
UPSTREAM_AWAY = "El servicio no está disponible. Intente de nuevo en unos segundos."


class UpstreamTimeout(ServiceError):
    status_code = 504
    code = "GATEWAY_TIMEOUT"
    message = "El servicio no respondió a tiempo."


class BadGateway(ServiceError):
    status_code = 502
    code = "BAD_GATEWAY"
    message = "El servicio respondió de forma inválida."


class PayloadTooLarge(ServiceError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "El cuerpo de la solicitud es demasiado grande."

    def __init__(self, limit: int | None = None) -> None:
        """`limit`: the route's body limit in bytes, said in the message."""
        details = {"max_bytes": limit} if limit is not None else None
        super().__init__(f"El cuerpo supera el límite de {human_bytes(limit)}." if limit else None, details=details)


def human_bytes(size: int) -> str:
    """`size` as a person reads a limit: "1 MiB", "64 KiB", "1000 bytes"."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale and size % (scale // 8) == 0:
            value = size / scale
            return f"{value:g} {unit}".replace(".", ",")
    return f"{size} bytes"
