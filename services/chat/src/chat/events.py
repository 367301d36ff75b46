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


PUBLISHED: list[type[Event]] = [RoomCreated, RoomResolved, AgentUpdated]


# -- consumed ----------------------------------------------------------------------------------
class UserCreated(Event):
    subject = "auth.user.created"
    user_id: int
    username: str
    email: str
    role: str


class UserRoleChanged(Event):
    subject = "auth.user.role_changed"
    user_id: int
    role: str
