"""chat's refusals: each a ServiceError with its fixed status, rendered in the seed's shape by
the shared handler (003's `{"error": ...}` on the desk's paths, 004's on `/api/v1/chats/`)."""

from shared.errors import InvalidRequest, NotFound, PermissionDenied, RateLimited, ServiceUnavailable


# -- workspaces --------------------------------------------------------------------------------
class WorkspaceNotFound(NotFound):
    message = "Espacio de trabajo no encontrado."


class WorkspaceInactive(InvalidRequest):
    message = "Este espacio de trabajo está desactivado y no atiende chats."


# -- agents ------------------------------------------------------------------------------------
class AgentNotFound(NotFound):
    message = "Agente no encontrado."


class AgentUnavailable(InvalidRequest):
    message = "El agente no está disponible."


class AtCapacity(InvalidRequest):
    message = "No puedes tomar más chats en este momento"


# -- rooms -------------------------------------------------------------------------------------
class RoomNotFound(NotFound):
    """An unknown room, another workspace's, or a guest's with a wrong or missing token (the same 404)."""

    message = "Chat no encontrado."


class WrongMove(InvalidRequest):
    """A move the room's status does not allow (the message says which and why)."""

    message = "Ese cambio de estado no está permitido."


class AlreadyTheirs(InvalidRequest):
    message = "El chat ya es de ese agente."


class AssignedElsewhere(PermissionDenied):
    """Only the room's agent (or a supervisor) acts on an assigned room."""

    message = "Este chat está asignado a otro agente."


class GuestTokenExpired(RoomNotFound):
    """The guest's right token, past CHAT_GUEST_TOKEN_SECONDS: the same 404, saying why."""

    message = "El chat expiró. Por favor inicia el chat nuevamente."


# -- guests ------------------------------------------------------------------------------------
class SessionExpired(InvalidRequest):
    message = "Sesión expirada. Por favor inicia el chat nuevamente."


class TooManyChats(RateLimited):
    message = "Has creado demasiados chats recientemente. Por favor intenta más tarde."


class RecaptchaFailed(InvalidRequest):
    message = "Verificación reCAPTCHA fallida."


class RecaptchaUnavailable(ServiceUnavailable):
    message = "No se pudo verificar el reCAPTCHA. Intenta de nuevo."


# -- messages ----------------------------------------------------------------------------------
class MessageNotFound(NotFound):
    message = "Mensaje no encontrado."


class RoomClosed(InvalidRequest):
    message = "El chat está cerrado: no admite más mensajes."
