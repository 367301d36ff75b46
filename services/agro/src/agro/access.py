"""Who sees what inside a workspace."""

from shared.security import Principal

# Roles that work on every field of their workspace; anyone else works on their own fields.
STAFF_ROLES = frozenset({"administrador", "tecnico"})


def sees_whole_workspace(principal: Principal) -> bool:
    return principal.role in STAFF_ROLES
