"""The client's table of the 37 call-v1 functions: what each one does to the server, whether
it needs a login token, and the parameters the vendor's reference documents for it.

The transport reads this table to decide what may be sent twice (a read) and what carries the
session's token; the typed calls are checked against it by a test (each method's keyword
arguments, snake_case, are the function's parameters, kebab-case). A name not in the table is
treated as a write that needs a token: never sent twice once it may have reached the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FUNCTIONS", "Function", "is_read", "needs_token"]


@dataclass(frozen=True, slots=True)
class Function:
    """One call-v1 function as the client sees it."""

    name: str
    #: True when calling it changes nothing on the server (so sending it twice is harmless)
    read: bool
    #: True when it must carry the session's ``login-token``
    token: bool
    #: the parameters the vendor's reference documents, ``login-token`` left out
    params: tuple[str, ...] = ()
    #: parameters the contract adds to the vendor's examples
    extra: tuple[str, ...] = ()

    @property
    def all_params(self) -> tuple[str, ...]:
        return self.params + self.extra


_LIST = ("filter-value", "start-after", "page-size")
_ACTIVITY = (
    "schedule-with",
    "regarding",
    "schedule-for",
    "details",
    "color",
    "start-time",
    "end-time",
    "type",
    "timeless",
)


def _read(name: str, *params: str, token: bool = True, extra: tuple[str, ...] = ()) -> Function:
    return Function(name, read=True, token=token, params=params, extra=extra)


def _write(name: str, *params: str, token: bool = True, extra: tuple[str, ...] = ()) -> Function:
    return Function(name, read=False, token=token, params=params, extra=extra)


FUNCTIONS: Final[dict[str, Function]] = {
    f.name: f
    for f in (
        # session-free
        _read("greet", token=False),
        _read("echo", "data", token=False),
        # signing in hands out a token and changes no record: safe to send again
        _read("get-login-token", "email-address", "password", token=False),
        # fields, layouts, users
        _read("get-all-fields"),
        _read("get-user-layouts"),
        _read("get-users"),
        # contacts
        _write("create-contact", "contact-field-data"),
        _read("get-contacts", *_LIST),
        _read("get-contact-info", "contact-id"),
        _read("get-notes-for-contact", "contact-id"),
        _read("get-sales-for-contact", "contact-id"),
        _write(
            "update-contact", "match-by-field-data", "create-if-not-updated", "contact-field-data"
        ),
        _write("delete-contacts", "contact-ids-to-delete"),
        _write("import-contacts", "contacts", "create-if-not-updated", extra=("match-nulls",)),
        # documents
        _read("get-docs-for-contact", "contact-id"),
        _write("add-doc-to-contact", "contact-id", "file-name", "base64-data"),
        # groups
        _read("get-groups", *_LIST),
        _read("get-group-info", "group-id"),
        _read("get-activities-for-group", "group-id", "start-after", "page-size"),
        _read("get-sales-for-group", "group-id"),
        _read("get-notes-for-group", "group-id"),
        _write("update-group", "match-by-field-data", "create-if-not-updated", "group-field-data"),
        _write("delete-groups", "group-ids-to-delete"),
        _write("create-note-for-group", "details", "group-id", "user-id", "type"),
        _write("create-activity-for-group", "group-id", *_ACTIVITY),
        _read("get-contacts-for-group", "group-id"),
        _write("add-contacts-to-group", "group-id", "contact-ids"),
        # activities
        _read("get-activities", *_LIST, extra=("user-id",)),
        _write("create-activity", *_ACTIVITY),
        _write("update-activity", "activity-id", *_ACTIVITY),
        _write(
            "complete-activity",
            "activity-id",
            "schedule-with",
            "regarding",
            "schedule-for",
            "type",
            "details",
            "result",
            extra=("color",),
        ),
        _read("get-activity-info", "activity-id"),
        # campaigns, sales, notes
        _read("get-campaigns"),
        _write("add-to-campaign", "campaign-id", "contact-ids"),
        _read("get-sales", "start-after", "page-size", "filter-value"),
        _write("create-sales-opp", "sales-field-data"),
        _write("create-note", "details", "contact-id", "user-id", "type"),
    )
}


def is_read(function: str) -> bool:
    """Whether ``function`` changes nothing on the server (unknown names are writes)."""
    known = FUNCTIONS.get(function)
    return known is not None and known.read


def needs_token(function: str) -> bool:
    """Whether ``function`` carries the session's token (unknown names do)."""
    known = FUNCTIONS.get(function)
    return known is None or known.token
