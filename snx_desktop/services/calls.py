"""Caller lookup: which cached contacts have a phone number, however the number is written.

The number comes from ``snx-desktop --call NUMBER`` or a ``tel:`` link; it is read in E.164
with the default region (of numbers written without ``+``) and looked up in the store's
phone-number index (:mod:`snx_desktop.store.phones`), so it works offline too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from urllib.parse import unquote

from snx_desktop.store import Store
from snx_desktop.store.phones import normalize

__all__ = ["CallerLookup", "CallerMatch", "number_from_argument", "readable_number"]

log = logging.getLogger(__name__)


def number_from_argument(text: str) -> str:
    """The number in ``--call``'s argument or a ``tel:`` link (``tel:+1-483-555-2775;ext=2``)."""
    text = text.strip()
    if text[:4].lower() == "tel:":
        text = unquote(text[4:]).lstrip("/")
        text = text.split(";", 1)[0]
    return text.strip()


def readable_number(number: str) -> str:
    """An E.164 number written the international way (``+1 483-555-2775``)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


@dataclass(frozen=True)
class CallerMatch:
    """What a number found: ``number`` is None when the text is no phone number."""

    typed: str
    number: str | None
    contact_ids: list[str] = field(default_factory=list)


class CallerLookup:
    """Finds contacts by phone number in one account's store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def use_region(self, region: str) -> None:
        """Read numbers without ``+`` as in ``region``; the index is rebuilt when it changes."""
        search = self._store.search
        if search.set_phone_region(region):
            log.info("phone numbers: default region now %s, reindexing", search.phone_region())
            for _ in search.reindex("contact"):
                await asyncio.sleep(0)

    def find(self, argument: str) -> CallerMatch:
        typed = number_from_argument(argument)
        number = normalize(typed, self._store.search.phone_region())
        if number is None:
            return CallerMatch(typed, None)
        return CallerMatch(typed, number, self._store.search.contacts_with_phone(number))
