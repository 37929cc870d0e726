"""What this computer knows of a campaign's members.

SalesNexus has no call that lists the members of a campaign (``get-campaigns`` gives a member
count at most, ``add-to-campaign`` only adds). So the app tells what it can: the contacts that
its own add-to-campaign writes added, seen when they are queued and marked once the server
accepted them. They are kept in the offline store's catalogue (``campaign-members``) so they
survive a restart. A write discarded before it was sent takes its contacts away again; one
still waiting (or failed, to be retried) shows as waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snx_desktop.services.types import OpOutcome
    from snx_desktop.services.writes import WriteQueue
    from snx_desktop.store import Store

__all__ = ["CATALOG_NAME", "CampaignMembers", "KnownMember"]

log = logging.getLogger(__name__)

CATALOG_NAME = "campaign-members"
FUNCTION = "add-to-campaign"


@dataclass(frozen=True)
class KnownMember:
    """A contact added to a campaign from this computer; ``sent``: the server accepted it."""

    contact_id: str
    sent: bool


class CampaignMembers:
    """Follows the account's add-to-campaign writes; :meth:`members` of a campaign."""

    def __init__(self, store: Store, writes: WriteQueue) -> None:
        self._store = store
        #: campaign id -> contact id -> {"op": op id, "sent": bool}
        self._known: dict[str, dict[str, dict[str, Any]]] = {}
        self._listeners: list[Callable[[], None]] = []
        cached = store.cache.get_catalog(CATALOG_NAME)
        if cached is not None and isinstance(cached.value, dict):
            self._known = {
                str(c): {str(k): dict(v) for k, v in m.items() if isinstance(v, dict)}
                for c, m in cached.value.items()
                if isinstance(m, dict)
            }
        self._disconnects = [
            store.outbox.subscribe(self._outbox_changed),
            writes.op_done.connect(self._op_done),
        ]
        self._outbox_changed()

    def close(self) -> None:
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()
        self._listeners.clear()

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever what is known changes."""
        self._listeners.append(callback)

    def members(self, campaign_id: str) -> list[KnownMember]:
        known = self._known.get(str(campaign_id), {})
        return [KnownMember(cid, bool(entry.get("sent"))) for cid, entry in known.items()]

    # -- following the writes -----------------------------------------------------------------
    def _outbox_changed(self) -> None:
        changed = False
        try:
            ops = self._store.outbox.ops()
        except Exception:
            log.exception("reading the queued campaign additions failed")
            return
        for op in ops:
            if op.function != FUNCTION:
                continue
            campaign = str(op.params.get("campaign-id", ""))
            members = self._known.setdefault(campaign, {})
            for cid in op.params.get("contact-ids", []) or []:
                entry = members.get(str(cid))
                if entry is None or (not entry.get("sent") and entry.get("op") != op.op_id):
                    members[str(cid)] = {"op": op.op_id, "sent": False}
                    changed = True
        if changed:
            self._save()

    def _op_done(self, outcome: OpOutcome) -> None:
        if outcome.op != FUNCTION:
            return
        changed = False
        queued = {op.op_id for op in self._store.outbox.ops()}
        for members in self._known.values():
            for cid, entry in list(members.items()):
                if entry.get("op") != outcome.op_id or entry.get("sent"):
                    continue
                if outcome.ok:
                    entry["sent"] = True
                    changed = True
                elif outcome.op_id not in queued:  # discarded (or undone) before it was sent
                    del members[cid]
                    changed = True
        if changed:
            self._save()

    def _save(self) -> None:
        known = {c: m for c, m in self._known.items() if m}
        try:
            self._store.cache.put_catalog(CATALOG_NAME, known)
        except Exception:
            log.exception("keeping the known campaign members failed")
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("campaign members listener failed")
