"""Roles and the permissions their tokens carry until RBAC tables replace this map (issue 3)."""

ADMIN = "administrador"
TECHNICIAN = "tecnico"
FARMER = "agricultor"
AGENT = "agente"
OWNER = ADMIN  # the user who registers a workspace administers it

DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    ADMIN: [
        f"{module}:{operation}"
        for module in (
            "administracion",
            "usuarios",
            "cultivos",
            "parcelas",
            "nodos",
            "tareas",
            "planes",
            "bots",
            "chat",
        )
        for operation in ("ver", "crear", "actualizar", "eliminar")
    ],
    TECHNICIAN: ["parcelas:ver", "nodos:ver", "nodos:crear", "nodos:actualizar", "tareas:ver", "tareas:actualizar"],
    FARMER: [
        "parcelas:ver",
        "parcelas:crear",
        "parcelas:actualizar",
        "tareas:ver",
        "tareas:crear",
        "tareas:actualizar",
    ],
    AGENT: ["chat:ver", "chat:actualizar"],
}
