"""What auth tells the other services, through its outbox."""

from auth.models import outbox_table
from shared.events import Outbox

outbox = Outbox(outbox_table, source="auth")

USER_CREATED = "auth.user.created"
USER_ROLE_CHANGED = "auth.user.role_changed"
# Both revoke tokens everywhere (`shared.security.revocations` follows them).
TOKEN_REVOKED = "auth.token.revoked"
TENANT_DEACTIVATED = "auth.tenant.deactivated"
