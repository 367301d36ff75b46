"""What chat tells the other services (through its outbox), and its views of auth's events."""

from chat.models import outbox_table
from shared.events import Event, Outbox

outbox = Outbox(outbox_table, source="chat")


class RoomCreated(Event):
    """A guest opened a support chat (webhooks' `chat.created`)."""

    subject = "chat.room.created"
    chat_room_id: str
    priority: str


class RoomResolved(Event):
    """An agent resolved a support chat (webhooks' `chat.resolved`)."""

    subject = "chat.room.resolved"
    chat_room_id: str
    agent_id: int | None


class AgentUpdated(Event):
    """An agent's availability, load or capacity changed: auth's 003 login answer reads it."""

    subject = "chat.agent.updated"
    agent_id: int
    user_id: int
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


class GuestErased(Event):
    """An administrator erased a guest (by email) from their workspace's desk: their rooms,
    messages, notifications and contact details are gone. webhooks drops its stored payloads of
    those rooms. No personal data: the envelope's tenant, chat's own ids, and what was erased."""

    subject = "chat.guest.erased"
    guest_ids: list[int]
    chat_room_ids: list[str]
    messages: int
    notifications: int


PUBLISHED: list[type[Event]] = [RoomCreated, RoomResolved, AgentUpdated, GuestErased]


# -- consumed: views of auth's events (auth's `events.py` owns the models) -----------------------
class UserCreated(Event):
    subject = "auth.user.created"
    user_id: int
    username: str
    email: str
    role: str
    display_name: str | None = None


class UserRoleChanged(Event):
    subject = "auth.user.role_changed"
    user_id: int
    role: str


class UserProfileChanged(Event):
    """The name guests see for an agent (never their login name or email)."""

    subject = "auth.user.profile_changed"
    user_id: int
    tenant_id: int
    display_name: str | None


class UserRemoved(Event):
    """A member left their workspace: they stop being an agent who can get chats."""

    subject = "auth.user.removed"
    user_id: int
    tenant_id: int


class UserRestored(Event):
    """A removed member came back (re-invited and accepted): an agent who may get chats again."""

    subject = "auth.user.restored"
    user_id: int
    tenant_id: int
    role: str


class TenantUpserted(Event):
    """A workspace's current state: guests reach only known, active workspaces."""

    subject = "auth.tenant.upserted"
    tenant_id: int
    name: str
    is_active: bool


class TenantDeactivated(Event):
    subject = "auth.tenant.deactivated"
    tenant_id: int
    deactivated_at: float
