"""What auth tells the other services, through its outbox: one model per subject."""

from pydantic import Field

from auth.models import outbox_table
from shared.events import Event, Outbox
from shared.security.revocations import ApiKeyRevoked, TenantDeactivated, TokenRevoked, UserTokensRevoked

outbox = Outbox(outbox_table, source="auth")


class UserCreated(Event):
    """An account was created (registration, an accepted prospect or invitation, the bootstrap admin).

    chat keeps its people (and enlists `agente`s) from it.
    """

    subject = "auth.user.created"
    user_id: int
    username: str
    email: str
    role: str
    display_name: str | None = Field(default=None, description='"nombres apellidos" of the profile, if any')


class UserRoleChanged(Event):
    """A user's role changed; tokens issued from now on carry its permissions (earlier ones are
    refused: `auth.user.tokens_revoked` follows in the same transaction)."""

    subject = "auth.user.role_changed"
    user_id: int
    role: str
    previous_role: str | None = Field(default=None)


class UserRemoved(Event):
    """A member was removed from their workspace: they can no longer log in, their tokens,
    sessions and API keys are revoked (their rows stay, for audit)."""

    subject = "auth.user.removed"
    user_id: int
    tenant_id: int


class UserRestored(Event):
    """A removed member came back (re-invited to the same workspace and accepted): the same user
    id, active again with `role` and a new password. Their old sessions and API keys stay revoked."""

    subject = "auth.user.restored"
    user_id: int
    tenant_id: int
    role: str


class UserProfileChanged(Event):
    """A profile's names changed. chat shows `display_name` to guests instead of the login email."""

    subject = "auth.user.profile_changed"
    user_id: int
    tenant_id: int
    display_name: str | None = Field(description='"nombres apellidos", stripped; null when both are empty')


class TenantUpserted(Event):
    """A workspace was created, renamed, deactivated or reactivated: its whole current state.

    chat refuses guests of unknown or inactive workspaces from it. Migration 0006 published
    one per workspace that existed before, so a read model built from the stream is complete.
    """

    subject = "auth.tenant.upserted"
    tenant_id: int
    name: str
    is_active: bool


class InvitationCreated(Event):
    """Someone was invited to a workspace. There is no mail server: the workspace's own systems
    (a webhook subscription) mail `accept_token` to `email`. The token is in clear on purpose,
    as the issue asks; it is single use, expires at `expires_at`, and only its hash is stored."""

    subject = "auth.invitation.created"
    invitation_id: int
    email: str
    role: str
    expires_at: float = Field(description="Unix time")
    accept_token: str


# -- consumed ----------------------------------------------------------------------------------
class AgentUpdated(Event):
    """chat's view of a support agent, for 003's login answer."""

    subject = "chat.agent.updated"
    agent_id: int
    user_id: int
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


# The four revocations are followed by every process; their models live in libs/shared.
PUBLISHED: list[type[Event]] = [
    UserCreated,
    UserRoleChanged,
    UserRemoved,
    UserRestored,
    UserProfileChanged,
    TenantUpserted,
    InvitationCreated,
    TokenRevoked,
    UserTokensRevoked,
    ApiKeyRevoked,
    TenantDeactivated,
]

__all__ = [
    "PUBLISHED",
    "ApiKeyRevoked",
    "InvitationCreated",
    "TenantDeactivated",
    "TenantUpserted",
    "TokenRevoked",
    "UserCreated",
    "UserProfileChanged",
    "UserRemoved",
    "UserRestored",
    "UserRoleChanged",
    "UserTokensRevoked",
    "outbox",
]
