"""The compact `perms` claim gives back exactly the permissions it was made from."""

from shared.security.claims import pack_permissions, unpack_permissions

ADMIN = {
    f"{module}:{op}"
    for module in ("administracion", "usuarios", "cultivos", "parcelas", "nodos", "tareas", "planes", "ia", "brain",
                   "chat", "bots")
    for op in ("ver", "crear", "actualizar", "eliminar")
} | {"espacio:ver"}  # fmt: skip


def test_round_trip_and_size() -> None:
    packed = pack_permissions(ADMIN)
    assert unpack_permissions(packed) == ADMIN
    assert len(packed) < len(",".join(ADMIN)) / 4
    assert "parcelas=vcae" in packed.split()


def test_other_operations_are_spelled_out() -> None:
    permissions = {"ia:ver", "ia:entrenar", "reportes:exportar"}
    packed = pack_permissions(permissions)
    assert unpack_permissions(packed) == permissions
    assert "reportes=+exportar" in packed.split()


def test_the_list_form_of_older_tokens_is_still_read() -> None:
    assert unpack_permissions(["chat:ver", "chat:crear"]) == {"chat:ver", "chat:crear"}
    assert unpack_permissions(None) == frozenset()
    assert unpack_permissions(42) == frozenset()
