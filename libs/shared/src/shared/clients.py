"""Who is calling: the client's address as a service sees it (for per-address limits)."""

from starlette.requests import HTTPConnection

__all__ = ["client_address"]


def client_address(request: HTTPConnection) -> str:
    """uvicorn's --proxy-headers has already taken it from the gateway's X-Forwarded-For."""
    return request.client.host if request.client else "unknown"
