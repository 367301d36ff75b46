"""`/console/farm/`: fields, a field's readings, suggestions and alerts, and its nodes (004).

Times show in the browser's zone: `farm.js` keeps it in the `console_tz` cookie and sends it
as `tz` with the chart's form; a request without either shows UTC and says so.

Live: the suggestions (every 10 s) and alerts (every 30 s) poll with htmx rather than relay a
stream: the public API has no stream of farm events (agro's and brain's events reach the
outside only as webhooks, to URLs a workspace registers). A poll is one API call, so an open
page costs about 8 of the user's 60 calls a minute, and none while its tab is hidden
(`farm.js`). A poll that finds what the page already shows answers 204, which htmx leaves
unswapped, so a screen reader hears only changes.
"""

from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from console.access import ConsoleUser, require
from console.errors import ApiError
from console.farm import service
from console.gateway import GatewayDep
from console.templating import render

router = APIRouter(prefix="/console/farm", include_in_schema=False)

Farmer = Annotated[ConsoleUser, Depends(require("parcelas:ver"))]
NodeViewer = Annotated[ConsoleUser, Depends(require("nodos:ver"))]
TZ_COOKIE = "console_tz"


def _zone_name(request: Request, tz: str | None) -> str:
    # farm.js percent-encodes the cookie's value ("America%2FLima").
    return tz or unquote(request.cookies.get(TZ_COOKIE, "")) or "UTC"


def _window(
    request: Request,
    ventana: str | None,
    desde: str | None,
    hasta: str | None,
    bucket: str | None,
    tz: str | None,
) -> tuple[service.Window, str | None]:
    return service.window_of(
        ventana=ventana, desde=desde, hasta=hasta, bucket=bucket, tz=_zone_name(request, tz), now=service.now()
    )


Ventana = Annotated[str | None, Query(max_length=10)]
Moment = Annotated[str | None, Query(max_length=40)]
Bucket = Annotated[str | None, Query(max_length=10)]
Zone = Annotated[str | None, Query(max_length=64)]
Seen = Annotated[str | None, Query(max_length=2000)]


@router.get("/")
async def fields_page(
    request: Request, user: Farmer, gw: GatewayDep, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    views, count = await service.fields(gw, user, page=page)
    return render(request, "farm/fields.html", {"fields": views, "count": count, "page": page})


@router.get("/{parcela_id}/")
async def field_page(
    request: Request,
    user: Farmer,
    gw: GatewayDep,
    parcela_id: int,
    ventana: Ventana = None,
    desde: Moment = None,
    hasta: Moment = None,
    bucket: Bucket = None,
    tz: Zone = None,
) -> Response:
    window, problem = _window(request, ventana, desde, hasta, bucket, tz)
    shown = await service.field_page(gw, user, parcela_id, window)
    context = {
        "field": shown.field,
        "field_id": parcela_id,
        "window": window,
        "problem": problem,
        "readings": shown.readings,
        "suggestions": shown.suggestions,
        "alerts": shown.alerts,
        "presets": service.PRESETS,
        "buckets": service.BUCKETS,
        "notice": None,
    }
    return render(request, "farm/field.html", context)


async def _suggestions(
    request: Request, gw: GatewayDep, parcela_id: int, tz: str | None, *, notice: str | None = None
) -> Response:
    zone = service.zone_of(_zone_name(request, tz))
    suggestions = await service.suggestions(gw, parcela_id, zone)
    context = {"field_id": parcela_id, "suggestions": suggestions, "notice": notice}
    return render(request, "farm/_suggestions.html", context)


@router.get("/{parcela_id}/sugerencias/")
async def suggestions_partial(
    request: Request, gw: GatewayDep, parcela_id: int, visto: Seen = None, tz: Zone = None
) -> Response:
    """The suggestions' region, polled: 204 (no swap) while it shows what the API answers.
    One API call per poll (the user's rate limit counts them): no `/auth/me/`, whose
    permission check the tasks' own API makes anyway."""
    zone = service.zone_of(_zone_name(request, tz))
    pending = await service.pending_suggestions(gw, parcela_id, zone)
    if visto is not None and visto == service.digest_of(pending):
        return Response(status_code=204)
    accepted = await service.accepted_suggestions(gw, parcela_id, zone)
    context = {"field_id": parcela_id, "suggestions": service.Suggestions(pending, accepted), "notice": None}
    return render(request, "farm/_suggestions.html", context)


@router.post("/{parcela_id}/tareas/{tarea_id}/{decision}/")
async def decide_task(
    request: Request, user: Farmer, gw: GatewayDep, parcela_id: int, tarea_id: int, decision: str
) -> Response:
    if decision not in ("aceptar", "rechazar"):
        return Response(status_code=404)
    try:
        detail = await service.decide(gw, tarea_id, accept=decision == "aceptar")
        notice = f"Tarea n.º {tarea_id}: {detail}."
    except ApiError as exc:
        notice = f"No se pudo {decision} la tarea n.º {tarea_id}: {exc.message}"
    return await _suggestions(request, gw, parcela_id, None, notice=notice)


@router.get("/{parcela_id}/alertas/")
async def alerts_partial(
    request: Request, gw: GatewayDep, parcela_id: int, visto: Seen = None, tz: Zone = None
) -> Response:
    """The alerts' region, polled like the suggestions' (one API call per poll)."""
    zone = service.zone_of(_zone_name(request, tz))
    alerts = await service.alerts(gw, parcela_id, zone)
    if visto is not None and visto == alerts.digest:
        return Response(status_code=204)
    return render(request, "farm/_alerts.html", {"field_id": parcela_id, "alerts": alerts, "notice": None})


@router.post("/{parcela_id}/alertas/{alerta_id}/reconocer/")
async def acknowledge_alert(
    request: Request,
    user: Farmer,
    gw: GatewayDep,
    parcela_id: int,
    alerta_id: int,
    nota: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        await service.acknowledge(gw, alerta_id, nota=nota.strip())
        notice = f"Alerta n.º {alerta_id} reconocida."
    except ApiError as exc:
        notice = f"No se pudo reconocer la alerta n.º {alerta_id}: {exc.message}"
    zone = service.zone_of(_zone_name(request, None))
    alerts = await service.alerts(gw, parcela_id, zone)
    return render(request, "farm/_alerts.html", {"field_id": parcela_id, "alerts": alerts, "notice": notice})


async def _nodes_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    parcela_id: int,
    *,
    new_token: service.NewToken | None = None,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    reloadable: bool = False,
) -> Response:
    zone = service.zone_of(_zone_name(request, None))
    field = await service.field_of(gw, user, parcela_id)
    nodes, sensors = await service.nodes(gw, parcela_id, zone, service.now())
    context = {
        "field": field,
        "nodes": nodes,
        "sensors": sensors,
        "zone": zone.key,
        "new_token": new_token,
        "notice": notice,
        "error": error,
        "form": form or {"codigo": "", "ubicacion": ""},
        "can_create": user.can("nodos:crear"),
        "can_update": user.can("nodos:actualizar"),
        # farm.js may load a GET page again in the browser's zone; never a POST's answer.
        "reloadable": reloadable,
    }
    return render(request, "farm/nodes.html", context, status=status)


@router.get("/{parcela_id}/nodos/")
async def nodes_page(request: Request, user: NodeViewer, gw: GatewayDep, parcela_id: int) -> Response:
    return await _nodes_page(request, user, gw, parcela_id, reloadable=True)


@router.post("/{parcela_id}/nodos/")
async def create_node(
    request: Request,
    user: NodeViewer,
    gw: GatewayDep,
    parcela_id: int,
    codigo: Annotated[str, Form(max_length=50)] = "",
    ubicacion: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """The token is in this answer only: it is rendered here, never put in a URL or the session."""
    try:
        token = await service.create_node(gw, parcela_id, codigo=codigo.strip(), ubicacion=ubicacion.strip())
    except ApiError as exc:
        form = {"codigo": codigo, "ubicacion": ubicacion}
        return await _nodes_page(request, user, gw, parcela_id, error=exc.message, form=form, status=exc.status)
    return await _nodes_page(request, user, gw, parcela_id, new_token=token)


@router.post("/{parcela_id}/nodos/{nodo_id}/token/")
async def rotate_node_token(
    request: Request, user: NodeViewer, gw: GatewayDep, parcela_id: int, nodo_id: int
) -> Response:
    try:
        token = await service.rotate_token(gw, parcela_id, nodo_id)
    except ApiError as exc:
        return await _nodes_page(request, user, gw, parcela_id, error=exc.message, status=exc.status)
    return await _nodes_page(request, user, gw, parcela_id, new_token=token)


@router.post("/{parcela_id}/nodos/{nodo_id}/revocar/")
async def revoke_node_token(
    request: Request, user: NodeViewer, gw: GatewayDep, parcela_id: int, nodo_id: int
) -> Response:
    try:
        codigo = await service.revoke_token(gw, parcela_id, nodo_id)
    except ApiError as exc:
        return await _nodes_page(request, user, gw, parcela_id, error=exc.message, status=exc.status)
    notice = f"Token del nodo {codigo} revocado: no podrá publicar lecturas hasta que se le emita uno nuevo."
    return await _nodes_page(request, user, gw, parcela_id, notice=notice)
