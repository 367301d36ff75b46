"""Agro tools: the caller's own fields, readings and tasks, through the platform's API (the
gateway) with the caller's token, so a farmer asking "¿qué parcelas necesitan riego?" gets an
answer from their own data and nobody else's."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import JsonValue

from bots.errors import ToolFailed
from bots.tooling import Tool, ToolContext, object_schema

FIELD_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1, "description": "Id de la parcela"}


async def _call(
    context: ToolContext,
    method: str,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    json: Mapping[str, object] | None = None,
) -> Any:
    """The platform's JSON answer (the shape its seed gives that path), or ToolFailed."""
    headers = {"Authorization": f"Bearer {context.token}"}
    try:
        response = await context.platform.request(method, path, headers=headers, params=params, json=json)
    except httpx.HTTPError as exc:
        raise ToolFailed(f"La plataforma no respondió ({type(exc).__name__}).") from exc
    if response.status_code >= 400:
        detail = response.json().get("detail") if "json" in response.headers.get("content-type", "") else None
        raise ToolFailed(str(detail or f"La plataforma respondió {response.status_code}."), response.status_code)
    return response.json()


async def _visible_fields(context: ToolContext) -> list[dict[str, Any]]:
    page = await _call(context, "GET", "/api/parcelas/", params={"page_size": 100})
    return list(page.get("results", []))


async def my_fields(context: ToolContext, params: dict[str, Any]) -> JsonValue:
    return [
        {key: field.get(key) for key in ("id", "nombre", "ubicacion", "tamano_hectareas", "variedad", "etapa_actual")}
        for field in await _visible_fields(context)
    ]


async def latest_readings(context: ToolContext, params: dict[str, Any]) -> JsonValue:
    """The last hourly value of each parameter measured on the field in the last 24 hours."""
    since = (datetime.now(UTC) - timedelta(hours=24)).isoformat()
    history = await _call(
        context, "GET", "/api/brain/history/",
        params={"parcela_id": params["parcela_id"], "bucket": "hour", "from": since},
    )  # fmt: skip
    latest: dict[str, dict[str, Any]] = {}
    for point in history.get("series", []):
        latest[point["parametro"]] = {"t": point["t"], "valor": point["avg"], "min": point["min"], "max": point["max"]}
    return {"parcela_id": params["parcela_id"], "lecturas": latest}


async def open_tasks(context: ToolContext, params: dict[str, Any]) -> JsonValue:
    """Pending tasks of one field, or of every field the caller sees (one call per field)."""
    if "parcela_id" in params:
        field_ids = [params["parcela_id"]]
    else:
        field_ids = [field["id"] for field in await _visible_fields(context)]
    tasks: list[dict[str, Any]] = []
    for field_id in field_ids:
        page = await _call(context, "GET", f"/api/parcelas/{field_id}/tareas/", params={"estado": "pendiente",
                                                                                     "page_size": 100})  # fmt: skip
        tasks += page.get("results", [])
    return [
        {key: t.get(key) for key in ("id", "parcela", "tipo", "descripcion", "fecha_programada", "origen", "decision")}
        for t in tasks
    ]


async def create_task(context: ToolContext, params: dict[str, Any]) -> JsonValue:
    body = {"tipo": params["tipo"], "descripcion": params.get("descripcion", "")}
    if params.get("fecha_programada"):
        body["fecha_programada"] = params["fecha_programada"]
    created = await _call(context, "POST", f"/api/parcelas/{params['parcela_id']}/tareas/", json=body)
    return {key: created.get(key) for key in ("id", "parcela", "tipo", "descripcion", "fecha_programada", "estado")}


TOOLS = [
    Tool("my_fields", "Lista las parcelas del usuario (id, nombre, ubicación, tamaño, cultivo)", "agro",
         object_schema({}), my_fields),
    Tool("latest_readings", "Últimas lecturas de cada sensor de una parcela (24 horas, por hora)", "agro",
         object_schema({"parcela_id": FIELD_ID}, ["parcela_id"]), latest_readings),
    Tool("open_tasks", "Tareas pendientes del usuario, de todas sus parcelas o de una", "agro",
         object_schema({"parcela_id": FIELD_ID}), open_tasks),
    Tool("create_task", "Crea una tarea en una parcela del usuario", "agro",
         object_schema({
             "parcela_id": FIELD_ID,
             "tipo": {"type": "string", "minLength": 1, "maxLength": 100, "description": "p. ej. regar"},
             "descripcion": {"type": "string", "maxLength": 2000},
             "fecha_programada": {"type": "string", "format": "date-time"},
         }, ["parcela_id", "tipo"]),
         create_task, mutating=True),
]  # fmt: skip
