"""Error codes of the ``call-v1`` contract and the exception that carries one."""

from __future__ import annotations

UNKNOWN_FUNCTION = "UNKNOWN_FUNCTION"
MISSING_PARAMETER = "MISSING_PARAMETER"
INVALID_PARAMETER = "INVALID_PARAMETER"
INVALID_LOGIN = "INVALID_LOGIN"
INVALID_TOKEN = "INVALID_TOKEN"
NOT_FOUND = "NOT_FOUND"
PERMISSION_DENIED = "PERMISSION_DENIED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
SERVER_ERROR = "SERVER_ERROR"
INVALID_REQUEST = "INVALID_REQUEST"


class CallError(Exception):
    """A call fails with a contract error element; the message is shown to a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(name: str) -> CallError:
    return CallError(MISSING_PARAMETER, f"The parameter '{name}' is required.")


def invalid(name: str, why: str) -> CallError:
    return CallError(INVALID_PARAMETER, f"The parameter '{name}' is invalid: {why}.")


def not_found(what: str, ident: str) -> CallError:
    return CallError(NOT_FOUND, f"No {what} with id {ident} exists.")
