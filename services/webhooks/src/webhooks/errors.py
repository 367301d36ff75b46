"""webhooks' refusals: each a ServiceError with its status, rendered in 002's shape by the shared handler."""

from shared.errors import NotFound, PermissionDenied


class WebhookNotFound(NotFound):
    message = "Webhook no encontrado."


class SubscriptionNotAllowed(PermissionDenied):
    code = "SUBSCRIPTION_NOT_ALLOWED"
    message = "Ese evento lleva una credencial: solo una persona con el permiso que exige puede suscribirse."
