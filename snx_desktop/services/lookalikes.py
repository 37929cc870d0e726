"""Look-ups for the creates whose answer may be lost, and the records they must never adopt.

When the answer to a create is lost, the write queue looks on the server for the record the
create would have made before it sends the create again (the op's ``reconcile``, in ``ops/``).
A record that already matched that look-up *before the create was first sent* cannot be ours:
it was made by someone else (a colleague typing the same contact, the same group, the same
deal). Such records are remembered in the op's params and skipped by the look-up:

* ``known``: the matching records the cache held when the write was journaled (the cache never
  knows every server record, so this alone is not enough);
* ``existing`` (`EXISTING_KEY`): the ids the same look-up read found on the server right before
  the first send. The replay runs that read and commits the ids into the op before the create
  goes out (`Replay` in ``replay.py``); an op journaled by an older version has no such key and
  keeps the older behaviour (it skips only the records claimed by our own earlier creates).

The look-up queries live here, once, so that the read before the first send and the look-up
after a lost answer are the same query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from .conflicts import norm
from .schema import Schema
from .types import is_temp_id

log = logging.getLogger(__name__)

LOOKUP_PAGE = 200
"""One small page of the needle-filtered list: what a look-up reads."""

EXISTING_KEY = "existing"
"""Op parameter: ids the look-up found on the server before the create was first sent."""

KNOWN_KEY = "known"
"""Op parameter: ids of matching records the cache held when the write was journaled."""

CONTACT_NEEDLE_ROLES = ("email", "name", "company", "last-name", "first-name")


def skipped(params: Mapping[str, Any]) -> set[str]:
    """Ids the look-up of this op must never adopt: records that matched before it was sent."""
    out: set[str] = set()
    for key in (KNOWN_KEY, EXISTING_KEY):
        out.update(str(i) for i in params.get(key) or [])
    return out


def has_snapshot(params: Mapping[str, Any]) -> bool:
    """The op carries the server's ids from before its first send (not an older op)."""
    return EXISTING_KEY in params


def remember_existing(params: Mapping[str, Any], ids: Iterable[str]) -> dict[str, Any]:
    """``params`` with ``ids`` added to the ids that existed before the create was sent.

    A create is looked up again before each send that follows a failure known not to have
    applied it (offline, refused for now), so the ids of every such read are kept together:
    all of them existed before the send whose answer may be lost.
    """
    merged = {str(i) for i in params.get(EXISTING_KEY) or []} | {str(i) for i in ids}
    return {**params, EXISTING_KEY: sorted(merged)}


# ------------------------------------------------------------------ contacts
def contact_needle(schema: Schema, fields: Mapping[str, str]) -> str:
    """The value a new contact is looked up by: its e-mail, else its name, else its company."""
    for role in CONTACT_NEEDLE_ROLES:
        fid = schema.role("Contact", role)
        if fid and norm(fields.get(fid)):
            return norm(fields.get(fid))
    return ""


def _needle_field(schema: Schema, fields: Mapping[str, str]) -> str | None:
    for role in CONTACT_NEEDLE_ROLES:
        fid = schema.role("Contact", role)
        if fid and norm(fields.get(fid)):
            return fid
    return None


async def contact_candidates(client: Any, schema: Schema, fields: Mapping[str, str]) -> list[Any]:
    """The server's contacts a look-up for this new contact reads (one filtered page); empty
    when the contact has no value to look it up by."""
    needle = contact_needle(schema, fields)
    if not needle:
        return []
    res = await client.get_contacts(filter_value=needle, page_size=LOOKUP_PAGE)
    return list(res.items)


def cached_contacts_like(store: Any, schema: Schema | None, fields: Mapping[str, str]) -> list[str]:
    """Ids of cached server contacts whose look-up value equals this new contact's (so that a
    later look-up never takes one of them for the contact this write makes)."""
    if schema is None:
        return []
    fid = _needle_field(schema, fields)
    if fid is None:
        return []
    needle = norm(fields.get(fid)).casefold()
    try:
        page = store.search.search("contact", norm(fields.get(fid)), limit=LOOKUP_PAGE)
    except Exception:
        log.warning("could not search the cache for look-alike contacts", exc_info=True)
        return []
    return [
        h.record_id
        for h in page.hits
        if not is_temp_id(h.record_id) and norm(h.record.get(fid)).casefold() == needle
    ]


# ------------------------------------------------------------------ groups
def group_name_field(schema: Schema) -> str | None:
    return schema.role("Group", "name")


async def group_candidates(client: Any, name: str) -> list[Any]:
    """The server's groups a look-up for a new group named ``name`` reads (one filtered page)."""
    res = await client.get_groups(filter_value=name, page_size=LOOKUP_PAGE)
    return list(res.items)


def named(schema: Schema, groups: Iterable[Any], name: str) -> list[Any]:
    """The groups called ``name`` (the server compares group names case-insensitively)."""
    fid = group_name_field(schema)
    wanted = name.casefold()
    return [g for g in groups if fid and norm(g.field_data.get(fid)).casefold() == wanted]


# ------------------------------------------------------------------ sales
def sale_parent(schema: Schema, fields: Mapping[str, str]) -> tuple[str, str] | None:
    """The contact or group a new sale is on (what its look-up lists), if any."""
    cfid = schema.role("Sales", "contact-id")
    gfid = schema.role("Sales", "group-id")
    if cfid and fields.get(cfid):
        return ("contact", fields[cfid])
    if gfid and fields.get(gfid):
        return ("group", fields[gfid])
    return None


async def sale_candidates(client: Any, schema: Schema, fields: Mapping[str, str]) -> list[Any]:
    """The server's sales a look-up for this new sale reads: its contact's or group's sales
    (unpaged lists), or else the first page of all sales."""
    parent = sale_parent(schema, fields)
    if parent is None:
        res = await client.get_sales(page_size=1000)
    elif parent[0] == "contact":
        res = await client.get_sales_for_contact(parent[1])
    else:
        res = await client.get_sales_for_group(parent[1])
    return list(res.items)


# ------------------------------------------------------------------ documents
async def document_candidates(client: Any, contact_id: str) -> list[Any]:
    """The contact's documents on the server (an unpaged list)."""
    res = await client.get_docs_for_contact(contact_id)
    return list(res.items)
