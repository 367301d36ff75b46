"""bots' refusals, each a `shared.errors` class with its fixed status, rendered by the shared
handler in the shape of the seed a route belongs to; and the two failures that never reach a
client as such (`ProviderFailed`, `ToolFailed`), which the agent loop and the tool runner
turn into an answer's status or one of the refusals below."""

from shared.errors import Conflict, InvalidRequest, NotFound, ServiceError


class BotNotFound(NotFound):
    message = "Bot no encontrado."


class ConversationNotFound(NotFound):
    message = "Conversación no encontrada."


class IntegrationNotFound(NotFound):
    message = "Integración no encontrada."


class KnowledgeBaseNotFound(NotFound):
    message = "Base de conocimiento no encontrada."


class DocumentNotFound(NotFound):
    message = "Documento no encontrado."


class LearnedApiNotFound(NotFound):
    message = "API aprendida no encontrada."


class ToolNotFound(NotFound):
    code = "TOOL_NOT_FOUND"
    message = "Tool no encontrado."


class UnknownTools(InvalidRequest):
    code = "UNKNOWN_TOOL"
    message = "Tool desconocido."


class UnknownModel(InvalidRequest):
    code = "UNKNOWN_MODEL"
    message = "Modelo o proveedor desconocido."


class ProviderNotConfigured(InvalidRequest):
    """No model that could answer has a provider: neither an integration of the workspace nor
    one of the platform's. Nothing was called; the workspace (or the operator) must set one up."""

    code = "PROVIDER_NOT_CONFIGURED"
    message = "Ningún modelo tiene un proveedor configurado."


class NothingToConfirm(Conflict):
    code = "NOTHING_TO_CONFIRM"
    message = "No hay tools esperando confirmación en esta conversación."


class ProvidersFailed(ServiceError):
    """Every model of the chain failed: nothing answered the question."""

    status_code = 502
    code = "BAD_GATEWAY"
    message = "Ningún proveedor de IA respondió."


class AnswerGone(NotFound):
    """A streamed answer no replica keeps any more; the conversation still has it."""

    message = "Esa respuesta ya no se conserva: léela en GET /api/conversations/{id}."


class UnreadableDocument(InvalidRequest):
    code = "UNREADABLE_DOCUMENT"
    message = "No se pudo leer el documento."


class DocumentTooLarge(ServiceError):
    """A knowledge document over `BOTS_DOCUMENT_MAX_BYTES`."""

    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "El documento supera el tamaño máximo."


class EmbeddingsUnavailable(InvalidRequest):
    code = "EMBEDDINGS_UNAVAILABLE"
    message = "Este modelo de embeddings no está disponible."


class EmbeddingsFailed(ServiceError):
    status_code = 502
    code = "BAD_GATEWAY"
    message = "El modelo de embeddings no respondió."


class InvalidApiDocument(InvalidRequest):
    """An OpenAPI or Swagger document `learned.importer` cannot turn into tools."""

    code = "INVALID_API_DOCUMENT"
    message = "El documento no es un OpenAPI 3 ni un Swagger 2 válido."


class ApiDocumentTooLarge(InvalidApiDocument):
    code = "API_DOCUMENT_TOO_LARGE"
    message = "Las operaciones del documento crecen demasiado al expandir sus $ref."


class ToolError(ServiceError):
    """A tool ran and the platform (or a learned API) could not answer it."""

    status_code = 502
    code = "TOOL_FAILED"
    message = "El tool no pudo completarse."


class ToolRefused(ToolError):
    """The platform refused the tool's call as a bad request (a 4xx other than 403 and 404)."""

    status_code = 400


class ToolForbidden(ToolError):
    """The platform said the caller may not do what the tool asked (its 403)."""

    status_code = 403


class ToolTargetNotFound(ToolError):
    """What the tool named is not there, or not the caller's (the platform's 404)."""

    status_code = 404


class ProviderFailed(Exception):
    """A provider did not answer. `retryable`: a 429, a 5xx, a timeout or a broken connection,
    after the SDK's own retries; the next model of the toolbox is tried then."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status


class NotConfigured(ProviderFailed):
    """Neither the workspace nor the platform has a provider of this kind (the next model is tried)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"ni el espacio ni la plataforma tienen un proveedor {kind} activo", retryable=True)


class ToolFailed(Exception):
    """A tool ran and could not do its job (the platform refused, a field does not exist...).
    `status`: what the platform answered, when it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
