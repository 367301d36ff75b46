from shared.errors import InvalidRequest, NotAuthenticated


class InvalidCredentials(NotAuthenticated):
    code = "INVALID_CREDENTIALS"
    message = "Usuario o contraseña incorrectos."


class AccountExists(InvalidRequest):
    code = "ACCOUNT_EXISTS"
    message = "Ya existe un usuario con ese email o nombre de usuario."
