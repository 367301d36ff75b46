"""What webhooks publishes, and the views of other services' events it consumes.

A view names only the fields read here; the publisher's `events.py` owns the full model
(`tests/test_event_contracts.py` checks they agree). Deliveries carry the publisher's whole
payload, not the view.
"""

from typing import Literal

from shared.events import Event, Outbox
from webhooks.models import outbox_table

outbox = Outbox(outbox_table, source="webhooks")


class WebhookDisabled(Event):
    """Every delivery to a webhook failed for a day: it was disabled. Tells its owner."""

    subject = "webhooks.webhook.disabled"
    webhook_id: str
    owner_id: int
    url: str
    reason: str


PUBLISHED: list[type[Event]] = [WebhookDisabled]


# -- consumed ----------------------------------------------------------------------------------
class AlertRaised(Event):
    subject = "brain.alert.raised"
    alerta_id: int
    parcela_id: int
    severity: Literal["critical", "warning"]


class AlertCleared(Event):
    subject = "brain.alert.cleared"
    alerta_id: int
    parcela_id: int


class TaskSuggested(Event):
    # agro's, not brain's `brain.task.suggested`: published once the `ia` task exists, with its id
    subject = "agro.task.suggested"
    tarea_id: int
    parcela_id: int


class TaskCreated(Event):
    subject = "agro.task.created"
    tarea_id: int
    parcela_id: int


class TaskDecided(Event):
    subject = "agro.task.decided"
    tarea_id: int
    decision: str


class ChatCreated(Event):
    subject = "chat.room.created"
    chat_room_id: str


class ChatResolved(Event):
    subject = "chat.room.resolved"
    chat_room_id: str


class GuestErased(Event):
    # chat's: the erased guest's rooms, whose delivered payloads the log drops
    subject = "chat.guest.erased"
    chat_room_ids: list[str]


class LimitReached(Event):
    subject = "ingest.limit.reached"
    parcela_id: int


class InvitationCreated(Event):
    # auth's: carries the accept token, for the workspace's own systems to mail it
    subject = "auth.invitation.created"
    invitation_id: int
    email: str


class FieldUpserted(Event):
    subject = "agro.field.upserted"
    parcela_id: int


class FieldDeleted(Event):
    subject = "agro.field.deleted"
    parcela_id: int


class NodeUpserted(Event):
    subject = "agro.node.upserted"
    nodo_id: int


class NodeDeleted(Event):
    subject = "agro.node.deleted"
    nodo_id: int


class ConversationCreated(Event):
    subject = "bots.conversation.created"
    conversation_id: str


class AnswerCompleted(Event):
    subject = "bots.answer.completed"
    status: str


class ToolExecuted(Event):
    subject = "bots.tool.executed"
    tool: str


class ApiLearned(Event):
    subject = "bots.api.learned"
    api_id: str
