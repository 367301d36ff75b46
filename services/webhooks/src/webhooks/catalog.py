"""The event names a webhook may subscribe to, and the subjects they come from.

002 documents `alert.critical`, `alert.warning`, `tool.executed`, `conversation.created` and
`api.learned`; the platform's other domain events are subscribable too. A name whose
publisher has not landed yet (bots, chat) may be subscribed now: a consumer is added with the
publisher, and its events are delivered from then on.

The task names carry agro's task id (`tarea_id`): `task.suggested` comes from agro once the
`ia` task exists (`agro.task.suggested`, brain's fields kept), not from brain's suggestion.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.events import Event
from webhooks import events

TEST_EVENT = "webhook.test"


def _always(data: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Subscribable:
    name: str
    description: str
    source: type[Event] | None  # None: its publisher has not landed yet
    matches: Callable[[dict[str, Any]], bool] = _always
    # A credential in the payload: only a person holding this permission subscribes to it (an
    # API key never does), and the delivery log never shows these fields (the receiver gets them).
    requires: str | None = None
    secret_fields: tuple[str, ...] = ()


NAMES: list[Subscribable] = [
    Subscribable("alert.critical", "Alerta crítica detectada", events.AlertRaised,
                 lambda data: data.get("severity") == "critical"),
    Subscribable("alert.warning", "Alerta de advertencia", events.AlertRaised,
                 lambda data: data.get("severity") == "warning"),
    Subscribable("alert.cleared", "Un sensor que no reportaba volvió a hacerlo", events.AlertCleared),
    Subscribable("task.suggested", "La IA sugirió una tarea para una parcela", events.TaskSuggested),
    Subscribable("task.created", "Se creó una tarea", events.TaskCreated),
    Subscribable("task.decided", "Se aceptó o rechazó una tarea", events.TaskDecided),
    Subscribable("tool.executed", "Tool ejecutado", events.ToolExecuted),
    Subscribable("conversation.created", "Nueva conversación", events.ConversationCreated),
    Subscribable("api.learned", "Nueva API aprendida", events.ApiLearned),
    Subscribable("chat.created", "Un invitado abrió un chat de soporte", events.ChatCreated),
    Subscribable("chat.resolved", "Un chat de soporte se resolvió", events.ChatResolved),
    Subscribable("reading.limit_reached", "Una parcela alcanzó el límite diario de lecturas de su plan",
                 events.LimitReached),
    # No mail server: the workspace's receiver mails `accept_token` to `email` (single use, expiring).
    # Whoever holds the token joins with the invited role: only those who may invite subscribe.
    Subscribable("invitation.created", "Se invitó a una persona al espacio de trabajo", events.InvitationCreated,
                 requires="usuarios:crear", secret_fields=("accept_token",)),
]  # fmt: skip

BY_NAME = {entry.name: entry for entry in NAMES}


def sources() -> list[type[Event]]:
    """The subjects to consume for deliveries, each once."""
    found: dict[str, type[Event]] = {}
    for entry in NAMES:
        if entry.source is not None:
            found.setdefault(entry.source.subject, entry.source)
    return list(found.values())


def names_for(subject: str, data: dict[str, Any]) -> list[str]:
    return [e.name for e in NAMES if e.source is not None and e.source.subject == subject and e.matches(data)]
