"""What a campaign's details say: its fields, the members this computer knows of, and what
SalesNexus cannot tell (there is no call that lists a campaign's members)."""

from __future__ import annotations

from collections.abc import Mapping

from snx_desktop.models.columns import campaign_columns
from snx_desktop.models.schema import Lookups
from snx_desktop.services.campaignmembers import CampaignMembers

__all__ = ["NO_MEMBER_LIST", "campaign_rows"]

NO_MEMBER_LIST = (
    "SalesNexus does not tell which contacts are in a campaign, only how many. "
    "Listed here are the contacts added to it from this computer; "
    "contacts added elsewhere are not shown."
)


def campaign_rows(
    record: Mapping[str, str], members: CampaignMembers | None, lookups: Lookups
) -> tuple[dict[str, str], str]:
    """The label -> text rows of a campaign's details, and the note above them."""
    rows = {c.label: c.display(record, lookups) for c in campaign_columns()}
    if "Members" in rows:
        rows["Members (SalesNexus count)"] = rows.pop("Members") or "not told"
    campaign_id = str(record.get("campaign-id", "") or record.get("id", "") or "")
    known = members.members(campaign_id) if members is not None and campaign_id else []
    sent = [m for m in known if m.sent]
    waiting = [m for m in known if not m.sent]

    def names(group: list[object]) -> str:
        out = [lookups.name_for(str(getattr(m, "contact_id", "")), resolve=True) for m in group]
        return ", ".join(n or "(a contact not loaded yet)" for n in out)

    if sent:
        rows[f"Added from this computer ({len(sent)})"] = names(list(sent))
    if waiting:
        rows[f"Waiting to be sent ({len(waiting)})"] = names(list(waiting))
    if not known:
        rows["Added from this computer"] = "none yet"
    return rows, NO_MEMBER_LIST
