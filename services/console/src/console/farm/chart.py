"""A time-series chart as server-rendered SVG: scales, ticks and paths, no script needed.

Pure geometry: times are aware datetimes already in the browser's zone (brain answers them
so with `tz`), so tick labels read as the user's clock. The SVG is sized by its viewBox and
scales with the page; `farm.js` maps a drag on it back to times through the `data-*`
attributes (`x0`, `x1`: the plot's edges in viewBox units; `start`, `end`: epoch ms).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass(frozen=True)
class Point:
    t: datetime
    avg: float
    low: float
    high: float


@dataclass(frozen=True)
class Tick:
    at: float  # position in viewBox units (x for time, y for values)
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    x0: float
    x1: float
    y0: float
    y1: float
    start_ms: int
    end_ms: int
    line: str  # polyline points of the averages ("x,y x,y ...")
    band: str  # polygon points between minimum and maximum
    dots: list[tuple[float, float]]  # each average (a lone bucket still shows)
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals."""
    if span <= 0:
        return 1.0
    raw = span / count
    power: float = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


_TIME_STEPS = (
    [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30)]
    + [timedelta(hours=h) for h in (1, 2, 3, 6, 12)]
    + [timedelta(days=d) for d in (1, 2, 7, 14, 30)]
)


def time_step(span: timedelta, count: int = 6) -> timedelta:
    for step in _TIME_STEPS:
        if span / step <= count:
            return step
    return _TIME_STEPS[-1]


def time_label(moment: datetime, step: timedelta) -> str:
    if step >= timedelta(days=1):
        return moment.strftime("%d/%m")
    if moment.hour == 0 and moment.minute == 0:
        return moment.strftime("%d/%m %H:%M")
    return moment.strftime("%H:%M")


def _time_ticks(start: datetime, end: datetime, scale_x: "_Scale") -> list[Tick]:
    step = time_step(end - start)
    if step >= timedelta(days=1):
        first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    elif step >= timedelta(hours=1):
        first = start.replace(minute=0, second=0, microsecond=0)
    else:
        minutes = int(step.total_seconds() // 60)
        first = start.replace(minute=start.minute - start.minute % minutes, second=0, microsecond=0)
    ticks: list[Tick] = []
    moment = first
    while moment <= end and len(ticks) < 40:
        if moment >= start:
            ticks.append(Tick(scale_x(moment.timestamp()), time_label(moment, step)))
        # Wall-clock steps in the zone: a day tick stays at local midnight across DST changes.
        moment = (moment.replace(tzinfo=None) + step).replace(tzinfo=moment.tzinfo)
    return ticks


@dataclass(frozen=True)
class _Scale:
    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return round(r0 + (value - d0) * (r1 - r0) / (d1 - d0), 1)


def _number(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{decimals}f}".replace(".", ",")


def build(points: list[Point], start: datetime, end: datetime) -> Chart:
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    scale_x = _Scale((start.timestamp(), end.timestamp()), (x0, x1))
    low = min((p.low for p in points), default=0.0)
    high = max((p.high for p in points), default=1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = nice_step(high - low, 4)
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    scale_y = _Scale((bottom, top), (y1, y0))
    y_ticks, value = [], bottom
    while value <= top + step / 2:
        y_ticks.append(Tick(scale_y(value), _number(value, step)))
        value += step
    xs = [scale_x(p.t.timestamp()) for p in points]
    line = " ".join(f"{x},{scale_y(p.avg)}" for x, p in zip(xs, points, strict=True))
    upper = [f"{x},{scale_y(p.high)}" for x, p in zip(xs, points, strict=True)]
    lower = [f"{x},{scale_y(p.low)}" for x, p in zip(xs, points, strict=True)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        x0=x0,
        x1=x1,
        y0=y0,
        y1=y1,
        start_ms=int(start.timestamp() * 1000),
        end_ms=int(end.timestamp() * 1000),
        line=line,
        band=" ".join(upper + lower[::-1]),
        dots=[(x, scale_y(p.avg)) for x, p in zip(xs, points, strict=True)],
        x_ticks=_time_ticks(start, end, scale_x),
        y_ticks=y_ticks,
    )
