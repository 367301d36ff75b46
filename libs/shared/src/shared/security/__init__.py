"""Token verification against auth's JWKS, revocations, the principal and RBAC."""

from shared.security.dependencies import (
    CurrentPrincipal,
    OptionalPrincipal,
    PlatformAdmin,
    RequirePermission,
    bearer_token,
)
from shared.security.principal import Principal
from shared.security.revocations import RevocationList
from shared.security.verifier import TokenVerifier, parse_authorization, start_token_verifier

__all__ = [
    "CurrentPrincipal",
    "OptionalPrincipal",
    "PlatformAdmin",
    "Principal",
    "RequirePermission",
    "RevocationList",
    "TokenVerifier",
    "bearer_token",
    "parse_authorization",
    "start_token_verifier",
]
