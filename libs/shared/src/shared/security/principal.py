"""Who is calling, as the verified credential (an access token or an API key) says."""

from dataclasses import dataclass, field

# 004's permission to work on every field of the workspace, not only one's own (granted to
# `administrador` and `tecnico` by auth's migration 0004).
WHOLE_WORKSPACE = "espacio:ver"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int  # auth's user id (BIGINT), the token's `sub`; for an API key, the user who made it
    tenant_id: int  # a workspace id: BIGINT in every service's tables
    role: str
    token_id: str  # the token's `jti`; `key:<id>` for an API key
    expires_at: int
    # Unix time with sub-second precision: a revocation at 100.5 must not refuse a token
    # issued at 100.7 (a re-login right after a role change).
    issued_at: float = 0.0
    # "<modulo>:<operacion>" pairs granted to the role when the token was issued (004's RBAC).
    permissions: frozenset[str] = field(default_factory=frozenset)
    # Operates the platform itself: global catalogues (plans, crops, roles), every workspace.
    platform_admin: bool = False
    # The login session (refresh-token family) the token belongs to: revoking it ends them all.
    session_id: str | None = None
    # Set when the caller is a program holding an API key rather than a person's token.
    api_key_id: str | None = None

    def can(self, module: str, operation: str) -> bool:
        return f"{module}:{operation}" in self.permissions

    @property
    def sees_whole_workspace(self) -> bool:
        """`espacio:ver`: every field of the workspace is the caller's to see, not only their own."""
        return WHOLE_WORKSPACE in self.permissions

    @property
    def caller_key(self) -> str:
        """Who a rate limit counts: an API key is its own caller, apart from its maker."""
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"
