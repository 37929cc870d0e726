"""The phone-number index: every cached contact's phone numbers in E.164, for caller lookup.

A number is read with ``phonenumbers`` in a default region (the country a number without
``+`` belongs to; the services set it from the locale or the preferences) and kept as
``+14835552775`` whatever way it was typed. Rows are keyed by ``records.rid``, so a contact
created offline keeps its numbers when its temporary id becomes the server's. The search index
maintains these rows (:class:`~snx_desktop.store.search.Search`) in the same transactions as
its own; ``phonenumbers`` is imported on first use, not when the store opens.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache

DEFAULT_REGION = "US"
CALLER_ROLE = "phone-numbers"
"""The search role naming every phone field of contacts (Phone, Mobile, ...)."""
TABLE = "phone_numbers"


def clean_region(region: str) -> str:
    """A two-letter region code in capitals, or :data:`DEFAULT_REGION`."""
    region = (region or "").strip().upper()
    return region if len(region) == 2 and region.isalpha() else DEFAULT_REGION


_SEPARATORS = re.compile(r"[\s().\-/]+", re.ASCII)
_NORTH_AMERICAN = re.compile(r"\+?1?([2-9][0-9]{9})")
_NORTH_AMERICAN_REGIONS = frozenset({"US", "CA"})


def _north_american(text: str, region: str) -> str | None:
    """The E.164 form of a ten-digit North American number, as ``phonenumbers`` gives it, at a
    fraction of its cost (caching 100,000 contacts reads every number); None: ask it."""
    compact = _SEPARATORS.sub("", text)
    plus = compact.startswith("+")
    if not plus and region not in _NORTH_AMERICAN_REGIONS:
        return None
    if plus and not compact.startswith("+1"):
        return None
    match = _NORTH_AMERICAN.fullmatch(compact)
    if match is None or len(compact) - int(plus) not in (10, 11):
        return None
    if len(compact) - int(plus) == 11 and compact[int(plus)] != "1":
        return None
    return "+1" + match.group(1)


@lru_cache(maxsize=4096)
def normalize(text: str, region: str = DEFAULT_REGION) -> str | None:
    """``text`` as an E.164 number (``+14835552775``), or None when it is no phone number."""
    text = text.strip()
    if not any(ch.isdigit() for ch in text):
        return None
    region = clean_region(region)
    quick = _north_american(text, region)
    if quick is not None:
        return quick
    return _parsed(text, region)


def _parsed(text: str, region: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def index(conn: sqlite3.Connection, rows: Iterable[tuple[int, Sequence[str]]], region: str) -> None:
    """Replace the numbers of records given as (records.rid, their phone values)."""
    pairs = list(rows)
    conn.executemany(f"DELETE FROM {TABLE} WHERE rid = ?", [(rid,) for rid, _ in pairs])
    numbers: list[tuple[str, int]] = []
    for rid, phones in pairs:
        for phone in phones:
            number = normalize(str(phone), region)
            if number is not None:
                numbers.append((number, rid))
    conn.executemany(f"INSERT OR IGNORE INTO {TABLE}(number, rid) VALUES (?, ?)", numbers)


def unindex(conn: sqlite3.Connection, rids: Iterable[int]) -> None:
    conn.executemany(f"DELETE FROM {TABLE} WHERE rid = ?", [(rid,) for rid in rids])


def clear(conn: sqlite3.Connection) -> None:
    conn.execute(f"DELETE FROM {TABLE}")


def contacts_with(conn: sqlite3.Connection, number: str) -> list[str]:
    """Ids of the cached contacts with the E.164 ``number``, in cache order."""
    rows = conn.execute(
        f"SELECT r.id FROM {TABLE} AS p JOIN records AS r ON r.rid = p.rid "
        "WHERE p.number = ? AND r.kind = 'contact' ORDER BY r.rid",
        (number,),
    ).fetchall()
    return [str(row[0]) for row in rows]
