"""Token verification against auth's JWKS, revocations, the principal and RBAC."""

from shared.security.dependencies import (
    CurrentPrincipal,
    OptionalPrincipal,
    PlatformAdmin,
    RequirePermission,
    RequireWholeWorkspace,
    bearer_token,
)
from shared.security.first_frame import AUTH_FRAME_SECONDS, bearer_of_auth_frame, receive_auth_frame
from shared.security.principal import WHOLE_WORKSPACE, Principal
from shared.security.revocations import RevocationList
from shared.security.verifier import TokenVerifier, parse_authorization, start_token_verifier

__all__ = [
    "AUTH_FRAME_SECONDS",
    "WHOLE_WORKSPACE",
    "CurrentPrincipal",
    "OptionalPrincipal",
    "PlatformAdmin",
    "Principal",
    "RequirePermission",
    "RequireWholeWorkspace",
    "RevocationList",
    "TokenVerifier",
    "bearer_of_auth_frame",
    "bearer_token",
    "parse_authorization",
    "receive_auth_frame",
    "start_token_verifier",
]
