"""What auth tells the other services, through its outbox: one model per subject."""

from pydantic import Field

from auth.models import outbox_table
from shared.events import Event, Outbox
from shared.security.revocations import TenantDeactivated, TokenRevoked

outbox = Outbox(outbox_table, source="auth")


class UserCreated(Event):
    """An account was created (registration, an accepted prospect, the bootstrap admin)."""

    subject = "auth.user.created"
    user_id: int
    username: str
    email: str
    role: str


class UserRoleChanged(Event):
    """A user's role changed; tokens issued from now on carry its permissions."""

    subject = "auth.user.role_changed"
    user_id: int
    role: str
    previous_role: str | None = Field(default=None)


# -- consumed ----------------------------------------------------------------------------------
class AgentUpdated(Event):
    """chat's view of a support agent, for 003's login answer."""

    subject = "chat.agent.updated"
    agent_id: int
    user_id: int
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


# Both revoke tokens everywhere; their models live in libs/shared, which follows them.
PUBLISHED: list[type[Event]] = [UserCreated, UserRoleChanged, TokenRevoked, TenantDeactivated]

__all__ = ["PUBLISHED", "TenantDeactivated", "TokenRevoked", "UserCreated", "UserRoleChanged", "outbox"]
