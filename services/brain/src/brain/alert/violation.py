"""What a value outside a rule's band means: the action, its wording and the alert's severity.

A value under a rule's `minimo` suggests `accion_si_menor`, over its `maximo` `accion_si_mayor`.
"""

from brain.events import Severity
from brain.models import Rule


def action_for(rule: Rule, valor: float) -> str | None:
    """The rule's action for this value; None inside the band (its bounds included)."""
    if rule.minimo <= valor <= rule.maximo:
        return None
    return rule.accion_si_menor if valor < rule.minimo else rule.accion_si_mayor


def severity(rule: Rule, valor: float, *, critical_fraction: float) -> Severity:
    """`critical` when the value is outside the band by more than `critical_fraction` of its width."""
    width = rule.maximo - rule.minimo
    margin = critical_fraction * (width if width > 0 else max(abs(rule.minimo), abs(rule.maximo), 1.0))
    beyond = rule.minimo - valor if valor < rule.minimo else valor - rule.maximo
    return "critical" if beyond > margin else "warning"


def describe(action: str, rule: Rule, valor: float) -> str:
    """004's wording: "Regar 30 min (regla 5) — parametro=humedad_suelo, valor=18.2"."""
    return f"{action} (regla {rule.regla_id}) — parametro={rule.parametro}, valor={valor:g}"
