"""What the farm pages ask the API and how they shape it: fields with their crop, stage and
plan; a window of readings in the browser's zone, bucketed and charted; suggestions, alerts
and nodes.

Every call goes through the user's `Gateway`, so the API decides what the user may see and
do; a refusal comes back as `ApiError` with the API's own message, which the pages show.
"""

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.access import ConsoleUser, token_claims
from console.errors import ApiError
from console.farm import chart
from console.gateway import Gateway

PRESETS: dict[str, tuple[str, timedelta]] = {
    "1h": ("Última hora", timedelta(hours=1)),
    "6h": ("Últimas 6 horas", timedelta(hours=6)),
    "24h": ("Últimas 24 horas", timedelta(hours=24)),
    "7d": ("Últimos 7 días", timedelta(days=7)),
    "30d": ("Últimos 30 días", timedelta(days=30)),
}
DEFAULT_PRESET = "24h"
BUCKETS = {"minute": "Minuto", "hour": "Hora", "day": "Día"}
PARAMETER_NAMES = {
    "humedad_suelo": "Humedad del suelo",
    "temperatura": "Temperatura",
    "humedad_aire": "Humedad del aire",
    "ph": "pH",
    "conductividad": "Conductividad",
    "luz": "Luz",
}
# Shortest zoom: below it minute buckets would leave a chart of one or two points.
MIN_SPAN = timedelta(minutes=10)
MAX_SPAN = timedelta(days=366)  # brain's `max_range_days`


def zone_of(name: str | None) -> ZoneInfo:
    """The browser's IANA zone as `farm.js` reports it; UTC for anything unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime | None, zone: ZoneInfo, *, seconds: bool = False) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "hace menos de un minuto"
    if seconds < 3600:
        return f"hace {seconds // 60} min"
    if seconds < 86400:
        return f"hace {seconds // 3600} h"
    return f"hace {seconds // 86400} días"


def parse_time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# -- fields ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldView:
    id: int
    nombre: str
    ubicacion: str
    tamano_hectareas: str
    cultivo: str
    etapa: str
    plan: str
    fecha_siembra: str


# The catalogue (crops, varieties, stages) is the platform's, the same for every user who may
# read it (`cultivos:ver`, checked before): its names are kept a minute per process, which
# takes two sequential API round trips and three calls off every fields' and field's page.
CATALOGUE_SECONDS = 60.0
CATALOGUE_ENTRIES = 2000
_CATALOGUE: dict[str, tuple[float, dict[str, Any] | None]] = {}


async def _names(gw: Gateway, user: ConsoleUser, rows: list[dict[str, Any]]) -> tuple[dict[int, str], dict[int, str]]:
    """Variety id -> "Crop (variety)", stage id -> name: the catalogue as the user may read it."""
    if not user.can("cultivos:ver"):
        return {}, {}

    async def get(path: str) -> dict[str, Any] | None:
        kept = _CATALOGUE.get(path)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        try:
            found = await gw.get(path)
        except ApiError:
            return None  # deleted meanwhile, or not the user's to read: shown as "—"
        row = found if isinstance(found, dict) else None
        if len(_CATALOGUE) >= CATALOGUE_ENTRIES:
            _CATALOGUE.clear()
        _CATALOGUE[path] = (time.monotonic() + CATALOGUE_SECONDS, row)
        return row

    variety_ids = sorted({row["variedad_id"] for row in rows if row.get("variedad_id")})
    stage_ids = sorted({row["etapa_actual"] for row in rows if row.get("etapa_actual")})
    varieties = await asyncio.gather(*(get(f"/api/variedades/{i}/") for i in variety_ids))
    stages = await asyncio.gather(*(get(f"/api/etapas/{i}/") for i in stage_ids))
    crop_ids = sorted({v["cultivo_id"] for v in varieties if v})
    crops = {c["id"]: c["nombre"] for c in await asyncio.gather(*(get(f"/api/cultivos/{i}/") for i in crop_ids)) if c}
    crop_of = {v["id"]: f"{crops.get(v['cultivo_id'], '—')} ({v['nombre']})" for v in varieties if v is not None}
    return crop_of, {s["id"]: s["nombre"] for s in stages if s}


def _field_view(row: dict[str, Any], crops: dict[int, str], stages: dict[int, str]) -> FieldView:
    return FieldView(
        id=int(row["id"]),
        nombre=str(row["nombre"]),
        ubicacion=str(row.get("ubicacion") or ""),
        tamano_hectareas=str(row.get("tamano_hectareas") or ""),
        cultivo=crops.get(row.get("variedad_id") or 0, "—" if row.get("variedad_id") else "Sin cultivo"),
        etapa=stages.get(row.get("etapa_actual") or 0, "—"),
        plan=str(row.get("plan_activo") or "Sin plan"),
        fecha_siembra=str(row.get("fecha_siembra") or "—"),
    )


async def fields(gw: Gateway, user: ConsoleUser, *, page: int) -> tuple[list[FieldView], int]:
    """A page of the user's fields (all of the workspace's for whoever sees it whole), and the count."""
    body = await gw.get("/api/parcelas/", params={"page": page, "page_size": 50, "ordering": "nombre"})
    rows = list(body["results"])
    crops, stages = await _names(gw, user, rows)
    return [_field_view(row, crops, stages) for row in rows], int(body["count"])


async def field_of(gw: Gateway, user: ConsoleUser, parcela_id: int) -> FieldView:
    row = await gw.get(f"/api/parcelas/{parcela_id}/")
    crops, stages = await _names(gw, user, [row])
    return _field_view(row, crops, stages)


# -- readings --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    start: datetime  # aware, in `zone`
    end: datetime
    zone: ZoneInfo
    preset: str  # "" for a chosen range
    bucket: str
    bucket_chosen: bool  # False: picked from the span

    @property
    def span(self) -> timedelta:
        return self.end - self.start

    def query(self, **changes: Any) -> str:
        """The page's query string for this window, or another (`start=`, `end=`, `preset=`)."""
        preset = changes.get("preset", self.preset)
        values: dict[str, str] = {"tz": self.zone.key}
        if preset:
            values["ventana"] = preset
        else:
            values["desde"] = _local_input(changes.get("start", self.start), self.zone)
            values["hasta"] = _local_input(changes.get("end", self.end), self.zone)
        if self.bucket_chosen:
            values["bucket"] = self.bucket
        return urlencode(values)

    def zoomed(self, factor: float) -> str:
        center, half = self.start + self.span / 2, max(self.span * factor / 2, MIN_SPAN / 2)
        half = min(half, MAX_SPAN / 2)
        return self.query(preset="", start=center - half, end=center + half)

    def shifted(self, fraction: float) -> str:
        return self.query(preset="", start=self.start + self.span * fraction, end=self.end + self.span * fraction)

    @property
    def start_input(self) -> str:
        return _local_input(self.start, self.zone)

    @property
    def end_input(self) -> str:
        return _local_input(self.end, self.zone)


def _local_input(moment: datetime, zone: ZoneInfo) -> str:
    """What an `<input type="datetime-local">` holds: the zone's wall clock, to the minute."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _parse_local(value: str, zone: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def auto_bucket(span: timedelta) -> str:
    if span <= timedelta(hours=6):
        return "minute"
    if span <= timedelta(days=8):
        return "hour"
    return "day"


def window_of(
    *, ventana: str | None, desde: str | None, hasta: str | None, bucket: str | None, tz: str | None, now: datetime
) -> tuple[Window, str | None]:
    """The window the page asks for, and a problem to show when its range cannot be read (the
    default window is then shown): a preset (`ventana`), else a range (`desde`, `hasta`, the
    zone's wall clock or ISO with an offset), else the last 24 hours."""
    zone = zone_of(tz)
    problem = None
    start = _parse_local(desde, zone) if desde else None
    end = _parse_local(hasta, zone) if hasta else None
    preset = ""
    if ventana in PRESETS:
        start = end = None  # a preset chosen in the form wins over the range it also sends
    elif (desde or hasta) and (start is None or end is None):
        problem = "Indique el inicio y el fin del periodo (fecha y hora)."
    elif start is not None and end is not None and start >= end:
        problem = "El inicio del periodo debe ser anterior a su fin."
    elif start is not None and end is not None and end - start > MAX_SPAN:
        problem = "El periodo no puede superar un año."
    if problem or start is None or end is None:
        preset = ventana if ventana in PRESETS else DEFAULT_PRESET
        end = now.astimezone(zone)
        start = end - PRESETS[preset][1]
    chosen = bucket in BUCKETS
    return Window(start, end, zone, preset, bucket if bucket and chosen else auto_bucket(end - start), chosen), problem


@dataclass(frozen=True)
class Series:
    parametro: str
    nombre: str
    points: list[chart.Point]
    chart: chart.Chart
    summary: str  # the chart's text alternative


@dataclass(frozen=True)
class Readings:
    series: list[Series]
    nivel: str  # which level brain answered from ("crudo", "hora", "dia")
    error: str | None = None


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(",.").replace(".", ",")


def _summary(nombre: str, points: list[chart.Point], window: Window) -> str:
    if not points:
        return f"{nombre}: sin lecturas en el periodo."
    low = min(points, key=lambda p: p.low)
    high = max(points, key=lambda p: p.high)
    last = points[-1]
    return (
        f"{nombre}: {len(points)} intervalos de {BUCKETS[window.bucket].lower()} entre "
        f"{local(window.start, window.zone)} y {local(window.end, window.zone)}; mínimo "
        f"{_number(low.low)} ({local(low.t, window.zone)}), máximo {_number(high.high)} "
        f"({local(high.t, window.zone)}), último promedio {_number(last.avg)} ({local(last.t, window.zone)})."
    )


async def readings(gw: Gateway, parcela_id: int, window: Window) -> Readings:
    """Every parameter of the field over the window, one chart each, bucketed in the user's zone.
    brain's refusal (too many buckets, say) comes back as the chart's message."""
    try:
        body = await gw.get(
            "/api/brain/history/",
            params={
                "parcela_id": parcela_id,
                "from": window.start.isoformat(),
                "to": window.end.isoformat(),
                "bucket": window.bucket,
                "tz": window.zone.key,
            },
        )
    except ApiError as exc:
        return Readings([], "", exc.message)
    grouped: dict[str, list[chart.Point]] = defaultdict(list)
    for row in body["series"]:
        moment = parse_time(row["t"]).astimezone(window.zone)
        grouped[row["parametro"]].append(chart.Point(moment, row["avg"], row["min"], row["max"]))
    series = []
    for parametro in sorted(grouped):
        points = grouped[parametro]
        nombre = PARAMETER_NAMES.get(parametro, parametro)
        drawn = chart.build(points, window.start, window.end)
        series.append(Series(parametro, nombre, points, drawn, _summary(nombre, points, window)))
    return Readings(series, str(body.get("nivel") or ""))


# -- suggestions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskView:
    id: int
    tipo: str
    descripcion: str
    fecha: str
    creada: str


@dataclass(frozen=True)
class Suggestions:
    pending: list[TaskView]
    accepted: list[TaskView]

    @property
    def digest(self) -> str:
        return digest_of(self.pending)


def digest_of(pending: list[TaskView]) -> str:
    """The open suggestions a page shows, in a word: a poll that finds the same answers 204."""
    return "p" + ".".join(str(task.id) for task in pending)


def _task(row: dict[str, Any], zone: ZoneInfo) -> TaskView:
    fecha = row.get("fecha_programada")
    return TaskView(
        id=int(row["id"]),
        tipo=str(row["tipo"]),
        descripcion=str(row["descripcion"]),
        fecha=local(parse_time(fecha), zone) if fecha else "Sin fecha",
        creada=local(parse_time(row["created_at"]), zone),
    )


async def pending_suggestions(gw: Gateway, parcela_id: int, zone: ZoneInfo) -> list[TaskView]:
    """The AI's open suggestions for the field, newest first: what the page polls (one call)."""
    body = await gw.get(
        f"/api/parcelas/{parcela_id}/tareas/", params={"origen": "ia", "decision": "pendiente", "page_size": 50}
    )
    return [_task(row, zone) for row in _newest_first(body["results"])]


async def accepted_suggestions(gw: Gateway, parcela_id: int, zone: ZoneInfo) -> list[TaskView]:
    body = await gw.get(
        f"/api/parcelas/{parcela_id}/tareas/", params={"origen": "ia", "decision": "aceptada", "page_size": 10}
    )
    return [_task(row, zone) for row in _newest_first(body["results"])]


async def suggestions(gw: Gateway, parcela_id: int, zone: ZoneInfo) -> Suggestions:
    """The AI's open suggestions for the field, and the last ones accepted."""
    pending, accepted = await asyncio.gather(
        pending_suggestions(gw, parcela_id, zone), accepted_suggestions(gw, parcela_id, zone)
    )
    return Suggestions(pending, accepted)


def _newest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: int(row["id"]), reverse=True)


async def decide(gw: Gateway, tarea_id: int, *, accept: bool) -> str:
    """Accept or reject a task: the API's own answer ("Aceptado", "Rechazado")."""
    body = await gw.post(f"/api/tareas/{tarea_id}/{'accept' if accept else 'reject'}/")
    return str((body or {}).get("detail") or ("Aceptado" if accept else "Rechazado"))


# -- alerts ----------------------------------------------------------------------------------
ALERT_KINDS = {"regla": "Regla incumplida", "sensor.stale": "Sensor sin reportar"}
SEVERITIES = {"critical": "Crítica", "warning": "Advertencia"}


@dataclass(frozen=True)
class AckView:
    quien: str
    cuando: str
    nota: str


@dataclass(frozen=True)
class AlertView:
    id: int
    tipo: str
    severity: str
    severity_label: str
    parametro: str
    mensaje: str
    valor: str
    raised: str
    acks: list[AckView] = field(default_factory=list)


@dataclass(frozen=True)
class Alerts:
    items: list[AlertView]

    @property
    def digest(self) -> str:
        return ".".join(f"{a.id}:{len(a.acks)}" for a in self.items)


def _who(user_id: int, viewer_id: int) -> str:
    return "usted" if user_id == viewer_id else f"usuario n.º {user_id}"


def viewer_id(gw: Gateway) -> int:
    """The signed-in user's id, from their token's `sub`: a poll need not ask `/auth/me/` for it."""
    return int(token_claims(gw.token or "").get("sub") or 0)


async def alerts(gw: Gateway, parcela_id: int, zone: ZoneInfo) -> Alerts:
    """The field's active alerts, newest first, each with its acknowledgement trail."""
    viewer = viewer_id(gw)
    rows = await gw.get("/api/brain/alertas/", params={"parcela_id": parcela_id})
    return Alerts(
        [
            AlertView(
                id=int(row["id"]),
                tipo=ALERT_KINDS.get(row["tipo"], row["tipo"]),
                severity=str(row["severity"]),
                severity_label=SEVERITIES.get(row["severity"], row["severity"]),
                parametro=PARAMETER_NAMES.get(row["parametro"], row["parametro"]),
                mensaje=str(row["mensaje"]),
                valor="—" if row.get("valor") is None else _number(float(row["valor"])),
                raised=local(parse_time(row["raised_at"]), zone),
                acks=[
                    AckView(_who(int(ack["usuario_id"]), viewer), local(parse_time(ack["at"]), zone), str(ack["nota"]))
                    for ack in row["reconocimientos"]
                ],
            )
            for row in rows
        ]
    )


async def acknowledge(gw: Gateway, alerta_id: int, *, nota: str) -> None:
    await gw.post(f"/api/brain/alertas/{alerta_id}/reconocer/", json={"nota": nota})


# -- nodes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeView:
    id: int
    codigo: str
    ubicacion: str
    token_activo: bool
    creado: str
    ultima: str  # last accepted post, local time
    hace: str
    estado: str  # "al-dia" | "sin-reportar" | "nunca"
    estado_label: str


@dataclass(frozen=True)
class SensorView:
    nodo_codigo: str
    parametro: str
    ultima: str
    hace: str
    stale: bool


@dataclass(frozen=True)
class NewToken:
    """A node token the API just issued: shown on this one answer, never stored by the console."""

    codigo: str
    token: str
    rotated: bool


_STATES = {"al-dia": "Al día", "sin-reportar": "Sin reportar", "nunca": "Nunca ha publicado"}


async def nodes(gw: Gateway, parcela_id: int, zone: ZoneInfo, now: datetime) -> tuple[list[NodeView], list[SensorView]]:
    """The field's master nodes (agro) with when each last posted (brain), and its sensors."""
    registered, heard, sensors = await asyncio.gather(
        gw.get(f"/api/parcelas/{parcela_id}/nodos/"),
        gw.get("/api/brain/nodos/", params={"parcela_id": parcela_id}),
        gw.get("/api/brain/sensores/", params={"parcela_id": parcela_id}),
    )
    seen = {row["codigo_nodo_maestro"]: row for row in heard}
    views = []
    for row in registered:
        last = seen.get(row["codigo"])
        moment = parse_time(last["last_seen"]) if last else None
        estado = "nunca" if last is None else ("sin-reportar" if last["stale"] else "al-dia")
        views.append(
            NodeView(
                id=int(row["id"]),
                codigo=str(row["codigo"]),
                ubicacion=str(row.get("ubicacion") or ""),
                token_activo=bool(row["activo"]),
                creado=local(parse_time(row["created_at"]), zone),
                ultima=local(moment, zone, seconds=True),
                hace=ago(moment, now) if moment else "",
                estado=estado,
                estado_label=_STATES[estado],
            )
        )
    return views, [_sensor(row, zone, now) for row in sensors]


def _sensor(row: dict[str, Any], zone: ZoneInfo, now: datetime) -> SensorView:
    moment = parse_time(row["last_seen"])
    return SensorView(
        nodo_codigo=str(row["nodo_codigo"]),
        parametro=PARAMETER_NAMES.get(row["parametro"], row["parametro"]),
        ultima=local(moment, zone, seconds=True),
        hace=ago(moment, now),
        stale=bool(row["stale"]),
    )


async def create_node(gw: Gateway, parcela_id: int, *, codigo: str, ubicacion: str) -> NewToken:
    body = await gw.post(f"/api/parcelas/{parcela_id}/nodos/create/", json={"codigo": codigo, "ubicacion": ubicacion})
    return NewToken(str(body["codigo"]), str(body["token"]), rotated=False)


async def node_code(gw: Gateway, parcela_id: int, nodo_id: int) -> str:
    """The node's code, read through the field (404 when the node is not of this field)."""
    body = await gw.get(f"/api/parcelas/{parcela_id}/nodos/{nodo_id}/")
    return str(body["codigo"])


async def rotate_token(gw: Gateway, parcela_id: int, nodo_id: int) -> NewToken:
    codigo = await node_code(gw, parcela_id, nodo_id)
    body = await gw.post(f"/api/nodos/{nodo_id}/token/")
    return NewToken(codigo, str(body["token"]), rotated=True)


async def revoke_token(gw: Gateway, parcela_id: int, nodo_id: int) -> str:
    codigo = await node_code(gw, parcela_id, nodo_id)
    await gw.delete(f"/api/nodos/{nodo_id}/token/")
    return codigo


@dataclass(frozen=True)
class FieldPage:
    field: FieldView
    readings: Readings
    suggestions: Suggestions
    alerts: Alerts


async def field_page(gw: Gateway, user: ConsoleUser, parcela_id: int, window: Window) -> FieldPage:
    """Everything a field's page shows, asked of the API at once (the page waits for the slowest)."""
    field_view, found, suggested, raised = await asyncio.gather(
        field_of(gw, user, parcela_id),
        readings(gw, parcela_id, window),
        suggestions(gw, parcela_id, window.zone),
        alerts(gw, parcela_id, window.zone),
    )
    return FieldPage(field_view, found, suggested, raised)


def now() -> datetime:
    return datetime.now(UTC)
