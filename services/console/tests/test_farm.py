"""The farm pages (issue 26) in a real browser, through the gateway, against the real suite:
a node's dry reading becomes a suggestion the farmer sees appear and accepts; alerts with
their acknowledgement trail; node tokens shown once. And the pages' pure parts: windows in
the browser's zone, the chart's scales."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from agro.testing import NewField, NewNode, RegisteredNode
from auth.testing import Workspace, auth_header
from console.farm import chart
from console.farm.service import window_of
from devstack.waiting import eventually

if TYPE_CHECKING:  # the harness's types (conftest.py is not imported by tests)
    from services.console.tests.conftest import CheckAccessibility, ConsoleLogin, NewPage, Screenshot

LIVE_MS = 30_000  # brain -> agro -> the page's next poll, on a loaded machine
NOW = datetime(2026, 3, 10, 15, 7, tzinfo=UTC)


def reading(node: RegisteredNode, sensor: str, valor: float, unidad: str = "%") -> dict[str, Any]:
    return {
        "codigo_nodo_maestro": node.codigo,
        "parcela_id": node.parcela_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "lecturas": [{"nodo_codigo": "N1", "sensores": [{"sensor": sensor, "valor": valor, "unidad": unidad}]}],
    }


async def post_reading(
    gateway: httpx.AsyncClient, node: RegisteredNode, sensor: str, valor: float, unidad: str = "%"
) -> httpx.Response:
    body = reading(node, sensor, valor, unidad)

    async def answered() -> httpx.Response | None:
        response = await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)
        return response if response.status_code != 401 else None  # the node's event may still be on its way

    return await eventually(answered, "ingest to know the node")


async def ia_tasks(gateway: httpx.AsyncClient, token: str, field_id: int, decision: str) -> list[dict[str, Any]]:
    response = await gateway.get(
        f"/api/parcelas/{field_id}/tareas/?origen=ia&decision={decision}", headers=auth_header(token)
    )
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


# The polls (suggestions every 10 s, alerts every 30 s) set its pace, and the session's stack may
# start in its setup when it runs first.
@pytest.mark.timeout(300)
async def test_a_dry_reading_becomes_a_suggestion_the_farmer_sees_appear_and_accepts(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    field_id = await new_field(
        workspace.farmer_token,
        nombre="Parcela Norte",
        variedad_id=catalogue["variety"],
        fecha_siembra=date.today().isoformat(),
        plan_id=catalogue["plans"]["Básico"],
    )
    node = await new_node(workspace.owner_token, field_id)
    page = await new_page()
    await login(page, workspace.farmer_username, workspace.farmer_password)

    await page.get_by_role("navigation", name="Principal").get_by_role("link", name="Parcelas").click()
    row = page.get_by_test_id("fields-table").get_by_role("row").filter(has_text="Parcela Norte")
    await expect(row).to_contain_text("Tomate (Cherry)")
    await expect(row).to_contain_text("Germinación")
    await expect(row).to_contain_text("Básico")
    await check_accessibility(page)
    await screenshot(page, "farm")

    await row.get_by_role("link", name="Parcela Norte", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Parcela Norte")
    # farm.js asks for the chart again in the browser's zone (the context's: America/Lima).
    await expect(page.get_by_test_id("chart-zone")).to_contain_text("America/Lima")
    await expect(page.get_by_test_id("suggestions")).to_contain_text("No hay sugerencias pendientes")

    # The node's post goes through the gateway's ingest path; the page is not reloaded.
    posted = await post_reading(gateway, node, "humedad_suelo", 18.2)  # Germinación: 60..80
    assert posted.status_code == 201, posted.text
    suggestion = page.get_by_test_id("suggestion")
    await expect(suggestion).to_contain_text("valor=18.2", timeout=LIVE_MS)
    [task] = await ia_tasks(gateway, workspace.farmer_token, field_id, "pendiente")
    await expect(page.get_by_test_id("alert")).to_contain_text("Crítica", timeout=LIVE_MS)

    await suggestion.get_by_role("button", name="Aceptar").click()
    await expect(page.get_by_test_id("suggestion-notice")).to_have_text(f"Tarea n.º {task['id']}: Aceptado.")
    await expect(page.get_by_test_id("suggestion")).to_have_count(0)
    await expect(page.get_by_test_id("accepted-tasks")).to_contain_text("valor=18.2")
    assert [t["id"] for t in await ia_tasks(gateway, workspace.farmer_token, field_id, "aceptada")] == [task["id"]]
    # A poll that finds what the page shows answers 204: htmx swaps nothing, a screen reader hears nothing.
    seen = await page.locator("#suggestions-seen").input_value()
    polled = f"{console_url}farm/{field_id}/sugerencias/"
    assert (await page.request.get(polled, params={"visto": seen})).status == 204
    assert (await page.request.get(polled, params={"visto": "p1a"})).status == 200

    # A second rule broken: its suggestion appears too, and the farmer rejects it.
    cold = await post_reading(gateway, node, "temperatura", 10.0, "C")  # Germinación: 18..30
    assert cold.status_code == 201, cold.text
    await expect(suggestion).to_contain_text("parametro=temperatura", timeout=LIVE_MS)
    [chilly] = await ia_tasks(gateway, workspace.farmer_token, field_id, "pendiente")
    await suggestion.get_by_role("button", name="Rechazar").click()
    await expect(page.get_by_test_id("suggestion-notice")).to_have_text(f"Tarea n.º {chilly['id']}: Rechazado.")
    await expect(page.get_by_test_id("suggestion")).to_have_count(0)
    assert await ia_tasks(gateway, workspace.farmer_token, field_id, "pendiente") == []

    alert = page.get_by_test_id("alert").filter(has_text="Humedad del suelo")
    await alert.get_by_label("Nota (opcional)").fill("Riego programado")
    await alert.get_by_role("button", name="Reconocer").click()
    await expect(page.get_by_test_id("alert-notice")).to_contain_text("reconocida")
    await expect(alert).to_contain_text("Reconocida por usted")
    await expect(alert).to_contain_text("«Riego programado»")

    # The reading in the chart (a minute bucket of the last 24 hours, in Lima's clock).
    await page.reload()
    figure = page.get_by_test_id("chart-humedad_suelo")
    await expect(figure).to_be_visible()
    lima = datetime.now(ZoneInfo("America/Lima"))
    await figure.get_by_text("Ver los datos de Humedad del suelo en una tabla").click()
    await expect(figure.get_by_role("table")).to_contain_text(lima.strftime("%d/%m/%Y"))
    await expect(figure.get_by_role("table")).to_contain_text("18.20")
    await check_accessibility(page)
    await screenshot(page, "farm-field")

    # Dragging across a chart zooms to the stretch dragged over (the last hours: minute buckets,
    # the reading still in it); the links zoom and move the window, and the address follows.
    box = await figure.locator("svg").bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] * 0.90, box["y"] + box["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.99, box["y"] + box["height"] / 2, steps=5)
    await page.mouse.up()
    await expect(page.get_by_test_id("chart-zone")).to_contain_text("agrupadas por minuto")
    await expect(page.get_by_label("Periodo", exact=True)).to_have_value("")
    await expect(page).to_have_url(re.compile(r"desde=.*hasta="))
    await expect(page.get_by_test_id("chart-humedad_suelo")).to_be_visible()
    await page.get_by_role("link", name="Alejar").click()
    await expect(page.get_by_test_id("chart-zone")).to_contain_text("agrupadas por minuto")
    await page.get_by_role("link", name="Alejar").click()
    await expect(page.get_by_test_id("chart-zone")).to_contain_text("agrupadas por hora")


async def test_a_node_token_is_shown_once_works_and_is_rotated_and_revoked(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    field_id = await new_field(workspace.farmer_token, nombre="Parcela Sur")
    page = await new_page()
    await login(page, workspace.owner.email, workspace.owner.password)
    await page.goto(console_url + f"farm/{field_id}/nodos/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nodos de Parcela Sur")
    await expect(page.get_by_test_id("nodes-zone")).to_contain_text("America/Lima")  # farm.js reloaded it once

    await page.get_by_label("Código").fill("NM-CONSOLA")
    await page.get_by_label("Ubicación (opcional)").fill("Junto al reservorio")
    await page.get_by_role("button", name="Registrar nodo").click()
    token = await page.get_by_test_id("node-token").input_value()
    assert token.startswith("nd_")
    nodes = (await gateway.get(f"/api/parcelas/{field_id}/nodos/", headers=auth_header(workspace.owner_token))).json()
    node = RegisteredNode(id=nodes[0]["id"], codigo="NM-CONSOLA", parcela_id=field_id, token=token)
    posted = await post_reading(gateway, node, "humedad_suelo", 65.0)
    assert posted.status_code == 201, posted.text

    owner = auth_header(workspace.owner_token)

    async def heard() -> list[dict[str, Any]] | None:
        response = await gateway.get(f"/api/brain/nodos/?parcela_id={field_id}", headers=owner)
        return list(response.json()) or None

    await eventually(heard, "brain to hear the node's post")
    await page.goto(console_url + f"farm/{field_id}/nodos/")
    await expect(page.get_by_test_id("node-token-panel")).to_have_count(0)
    assert token not in await page.content(), "a node token is shown once"
    row = page.get_by_test_id("node-row").filter(has_text="NM-CONSOLA")
    await expect(row.get_by_test_id("node-state")).to_have_text("Al día")
    await expect(page.get_by_test_id("sensors-table")).to_contain_text("Humedad del suelo")
    await check_accessibility(page)
    await screenshot(page, "farm-nodes")

    await row.get_by_role("button", name="Renovar token").click()
    rotated = await page.get_by_test_id("node-token").input_value()
    assert rotated.startswith("nd_")
    assert rotated != token

    row = page.get_by_test_id("node-row").filter(has_text="NM-CONSOLA")
    await row.get_by_role("button", name="Revocar token").click()
    await expect(page.get_by_test_id("nodes-notice")).to_contain_text("Token del nodo NM-CONSOLA revocado")
    await expect(page.get_by_test_id("node-row").filter(has_text="NM-CONSOLA")).to_contain_text("Revocado")

    revoked = RegisteredNode(id=node.id, codigo=node.codigo, parcela_id=field_id, token=rotated)

    async def refused() -> httpx.Response | None:
        body = reading(revoked, "humedad_suelo", 64.0)
        response = await gateway.post("/api/nodes/ingest/", json=body, headers=revoked.header)
        return response if response.status_code == 401 else None

    await eventually(refused, "ingest to refuse the revoked token")


async def test_a_farmer_cannot_create_nodes_and_sees_no_form(
    workspace: Workspace, new_field: NewField, new_page: NewPage, login: ConsoleLogin, console_url: str
) -> None:
    field_id = await new_field(workspace.farmer_token, nombre="Parcela Este")
    page = await new_page()
    await login(page, workspace.farmer_username, workspace.farmer_password)
    await page.goto(console_url + f"farm/{field_id}/nodos/")
    await expect(page.get_by_text("La parcela no tiene nodos.")).to_be_visible()
    await expect(page.get_by_role("button", name="Registrar nodo")).to_have_count(0)


def test_a_preset_wins_over_the_range_the_form_also_sends() -> None:
    window, problem = window_of(
        ventana="6h", desde="2026-03-01T00:00", hasta="2026-03-02T00:00", bucket=None, tz="America/Lima", now=NOW
    )
    assert problem is None
    assert (window.preset, window.bucket, window.span) == ("6h", "minute", timedelta(hours=6))
    assert window.end == NOW
    assert window.end.utcoffset() == timedelta(hours=-5)


def test_a_range_is_read_on_the_browsers_wall_clock() -> None:
    window, problem = window_of(
        ventana="", desde="2026-03-01T00:00", hasta="2026-03-03T00:00", bucket=None, tz="America/Lima", now=NOW
    )
    assert problem is None
    assert window.start == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert window.bucket == "hour"
    assert "desde=2026-03-01T00%3A00" in window.query()
    zoomed, _ = window_of(ventana="", desde="2026-03-01T12:00", hasta="2026-03-01T12:00", bucket="day", tz="UTC",
                          now=NOW)  # fmt: skip
    assert zoomed.preset == "24h", "an empty range falls back to the default window"


def test_an_unreadable_range_says_so_and_an_unknown_zone_is_utc() -> None:
    window, problem = window_of(ventana=None, desde="ayer", hasta="", bucket="minute", tz="Mars/Base", now=NOW)
    assert problem == "Indique el inicio y el fin del periodo (fecha y hora)."
    assert (window.zone.key, window.preset, window.bucket) == ("UTC", "24h", "minute")


def test_the_chart_scales_values_and_labels_days_at_local_midnight() -> None:
    zone = ZoneInfo("America/Lima")
    start = datetime(2026, 3, 1, tzinfo=zone)
    points = [chart.Point(start + timedelta(days=d, hours=12), 20.0 + d, 18.0 + d, 25.0 + d) for d in range(7)]
    drawn = chart.build(points, start, start + timedelta(days=7))
    assert drawn.x_ticks[0].label == "01/03"
    assert drawn.x_ticks[0].at == drawn.x0
    assert [tick.label for tick in drawn.y_ticks] == ["15", "20", "25", "30", "35"]
    first_x, first_y = drawn.dots[0]
    assert drawn.x0 < first_x < drawn.x1
    assert drawn.y0 < first_y < drawn.y1
    assert len(drawn.line.split()) == 7
