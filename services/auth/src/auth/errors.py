from collections.abc import Mapping
from typing import ClassVar

from shared.errors import ErrorStyle, InvalidRequest, NotAuthenticated


class InvalidCredentials(NotAuthenticated):
    code = "INVALID_CREDENTIALS"
    message = "Usuario o contraseña incorrectos."
    # 003 and 004 answer a failed login with 400; 001 and 002 with 401.
    status_by_style: ClassVar[Mapping[ErrorStyle, int]] = {ErrorStyle.DESK: 400, ErrorStyle.AGRO: 400}


class AccountExists(InvalidRequest):
    code = "ACCOUNT_EXISTS"
    message = "Ya existe un usuario con ese email o nombre de usuario."
