"""The activity's wire fields, spelled out once: `ActivityFields`, and the call arguments.

`ActivityFields` is an activity as the contract writes it (hyphenated keys, text values:
``"timeless": "true"``); it is what the write queue journals, what the activity dialog
produces and what the cache holds. `activity_args` turns those fields into the keyword
arguments of the client's activity calls (`ActivityArgs`), so that a field is named in one
place and mypy checks the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from .values import as_bool

ActivityFields = TypedDict(
    "ActivityFields",
    {
        "schedule-with": str,
        "schedule-for": str,
        "group-id": str,
        "regarding": str,
        "details": str,
        "color": str,
        "start-time": str,
        "end-time": str,
        "type": str,
        "timeless": str,
        "completed": str,
        "result": str,
    },
    total=False,
)

ACTIVITY_KEYS: tuple[str, ...] = (
    "schedule-with",
    "schedule-for",
    "regarding",
    "details",
    "color",
    "start-time",
    "end-time",
    "type",
    "timeless",
)
"""The fields a create or an update of an activity sends (``group-id`` is the call's target,
``completed`` and ``result`` are set by completing it)."""

ACTIVITY_TYPES = ("call", "meeting", "todo")


class ActivityArgs(TypedDict, total=False):
    """The keyword arguments of the client's activity calls (create, update, complete)."""

    schedule_with: str
    schedule_for: str
    regarding: str
    details: str
    color: str
    start_time: str
    end_time: str
    type: str
    timeless: bool


def activity_args(fields: ActivityFields | Mapping[str, str]) -> ActivityArgs:
    """The call arguments for ``fields``: empty ``schedule-with``/``schedule-for`` are left
    out (the server then uses no contact, the session's user), ``timeless`` becomes a bool."""
    out = ActivityArgs()
    get = fields.get
    if get("schedule-with"):
        out["schedule_with"] = str(get("schedule-with"))
    if get("schedule-for"):
        out["schedule_for"] = str(get("schedule-for"))
    if "regarding" in fields:
        out["regarding"] = str(get("regarding"))
    if "details" in fields:
        out["details"] = str(get("details"))
    if "color" in fields:
        out["color"] = str(get("color"))
    if "start-time" in fields:
        out["start_time"] = str(get("start-time"))
    if "end-time" in fields:
        out["end_time"] = str(get("end-time"))
    if "type" in fields:
        out["type"] = str(get("type"))
    if "timeless" in fields:
        out["timeless"] = as_bool(get("timeless"))
    return out


class CompleteArgs(TypedDict, total=False):
    """The keyword arguments ``complete-activity`` takes besides the result (no times)."""

    schedule_with: str
    schedule_for: str
    regarding: str
    details: str
    color: str
    type: str


def complete_args(fields: ActivityFields | Mapping[str, str]) -> CompleteArgs:
    """`activity_args` without what ``complete-activity`` does not take (times, all-day)."""
    args = activity_args(fields)
    out = CompleteArgs()
    if "schedule_with" in args:
        out["schedule_with"] = args["schedule_with"]
    if "schedule_for" in args:
        out["schedule_for"] = args["schedule_for"]
    if "regarding" in args:
        out["regarding"] = args["regarding"]
    if "details" in args:
        out["details"] = args["details"]
    if "color" in args:
        out["color"] = args["color"]
    if "type" in args:
        out["type"] = args["type"]
    return out
