"""The `perms` claim in a compact form, so a token stays small enough for a phone's headers.

`["parcelas:ver", "parcelas:crear", "nodos:ver"]` travels as `"parcelas=vc nodos=v"`: the four
operations every module has are one letter each (`v`er, `c`rear, `a`ctualizar, `e`liminar);
any other operation is spelled out after a `+` (`"ia=v+entrenar"`). An administrator's claim
shrinks from about 1 KB to about 150 bytes. A list (tokens issued before) is still read.
"""

from collections.abc import Iterable

__all__ = ["pack_permissions", "unpack_permissions"]

_LETTERS = {"ver": "v", "crear": "c", "actualizar": "a", "eliminar": "e"}
_NAMES = {letter: name for name, letter in _LETTERS.items()}


def pack_permissions(permissions: Iterable[str]) -> str:
    by_module: dict[str, list[str]] = {}
    for permission in sorted(set(permissions)):
        module, _, operation = permission.partition(":")
        by_module.setdefault(module, []).append(operation)
    parts = []
    for module, operations in by_module.items():
        letters = "".join(letter for name, letter in _LETTERS.items() if name in operations)
        others = "".join(f"+{op}" for op in operations if op not in _LETTERS)
        parts.append(f"{module}={letters}{others}")
    return " ".join(parts)


def unpack_permissions(claim: object) -> frozenset[str]:
    if isinstance(claim, list):
        return frozenset(str(p) for p in claim)
    if not isinstance(claim, str):
        return frozenset()
    permissions: set[str] = set()
    for part in claim.split():
        module, _, operations = part.partition("=")
        letters, *others = operations.split("+")
        permissions.update(f"{module}:{_NAMES[letter]}" for letter in letters if letter in _NAMES)
        permissions.update(f"{module}:{op}" for op in others if op)
    return frozenset(permissions)
