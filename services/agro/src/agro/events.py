"""What agro tells the other services, through its outbox (ingest and brain keep read models)."""

from agro.models import outbox_table
from shared.events import Outbox

outbox = Outbox(outbox_table, source="agro")

FIELD_UPSERTED = "agro.field.upserted"
FIELD_DELETED = "agro.field.deleted"
STAGE_UPSERTED = "agro.stage.upserted"
STAGE_DELETED = "agro.stage.deleted"
RULE_UPSERTED = "agro.rule.upserted"
RULE_DELETED = "agro.rule.deleted"
SUBSCRIPTION_CHANGED = "agro.subscription.changed"
NODE_UPSERTED = "agro.node.upserted"
NODE_DELETED = "agro.node.deleted"
TASK_DECIDED = "agro.task.decided"

# Consumed.
TASK_SUGGESTED = "brain.task.suggested"
