"""The console's navigation: one `NavItem` per page, shown only to users holding its permission.

Each page package adds its one line to `NAV`; `base.html` lists `visible(user)`.
"""

from dataclasses import dataclass

from console.access import ConsoleUser

__all__ = ["NAV", "NavItem", "visible"]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    # "module:operation" the user must hold to see the item (None: everyone signed in).
    permission: str | None = None


NAV: list[NavItem] = [
    NavItem("Inicio", "/console/"),
    NavItem("Mesa de ayuda", "/console/desk/", "chat:ver"),
    NavItem("Parcelas", "/console/farm/", "parcelas:ver"),
    NavItem("Estudio de bots", "/console/studio/", "bots:ver"),
    NavItem("Espacio de trabajo", "/console/workspace/", "espacio:ver"),
]


def visible(user: ConsoleUser | None) -> list[NavItem]:
    if user is None:
        return []
    return [item for item in NAV if item.permission is None or user.can(item.permission)]
