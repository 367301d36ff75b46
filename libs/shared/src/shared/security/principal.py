"""Who is calling, as the verified token says."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int  # auth's user id (BIGINT), the token's `sub`
    tenant_id: int  # a workspace id: BIGINT in every service's tables
    role: str
    token_id: str
    expires_at: int
    issued_at: int = 0
    # "<modulo>:<operacion>" pairs granted to the role when the token was issued (004's RBAC).
    permissions: frozenset[str] = field(default_factory=frozenset)
    # Operates the platform itself: global catalogues (plans, crops, roles), every workspace.
    platform_admin: bool = False

    def can(self, module: str, operation: str) -> bool:
        return f"{module}:{operation}" in self.permissions
