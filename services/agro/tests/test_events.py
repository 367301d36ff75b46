"""What agro publishes for ingest and brain's read models."""

from typing import Any

from shared.devtools.identities import Workspace


async def test_field_and_subscription_events_carry_what_the_read_models_need(
    workspace: Workspace, new_field: Any, catalogue: dict[str, Any], published: Any
) -> None:
    field_id = await new_field(
        workspace.farmer_token,
        variedad_id=catalogue["variety"],
        fecha_siembra="2025-01-01",
        plan_id=catalogue["plans"]["Premium"],
    )
    fields = [e for e in await published("agro.field.upserted") if e["data"]["parcela_id"] == field_id]
    assert fields[-1]["tenant_id"] == str(workspace.tenant_id)
    assert fields[-1]["source"] == "agro"
    assert fields[-1]["data"]["variedad_id"] == catalogue["variety"]
    assert fields[-1]["data"]["etapa_actual_id"] == catalogue["stages"][-1]
    subscriptions = [e for e in await published("agro.subscription.changed") if e["data"]["parcela_id"] == field_id]
    assert subscriptions[-1]["data"]["estado"] == "activo"
    assert subscriptions[-1]["data"]["limite_lecturas_dia"] == 200


async def test_demo_rules_were_published_for_brain(catalogue: dict[str, Any], published: Any) -> None:
    rules = await published("agro.rule.upserted")
    stages = {e["data"]["etapa_id"] for e in await published("agro.stage.upserted")}
    assert set(catalogue["stages"]) <= stages
    assert any(
        r["data"]["etapa_id"] == catalogue["stages"][0] and r["data"]["parametro"] == "humedad_suelo" for r in rules
    )
    assert all(r["tenant_id"] is None for r in rules), "the catalogue is platform-wide"
