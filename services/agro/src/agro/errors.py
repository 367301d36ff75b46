"""agro's refusals: each a ServiceError, rendered in 004's shape by the shared handler."""

from shared.errors import InvalidRequest


class InUse(InvalidRequest):
    """A catalogue row something still uses (a crop with varieties, a plan with subscriptions)."""

    code = "IN_USE"
