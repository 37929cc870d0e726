"""The campaign calls."""

from __future__ import annotations

from collections.abc import Sequence

from .. import _wire
from ..results import (
    AddResult,
    Campaign,
    RecordList,
)
from .base import CallsBase, id_list, lister


class CampaignCalls(CallsBase):
    """The campaign calls."""

    async def get_campaigns(self) -> RecordList[Campaign]:
        return await self._call("get-campaigns", {}, lister("campaign", Campaign.parse))

    async def add_to_campaign(self, campaign_id: str, contact_ids: Sequence[str]) -> AddResult:
        return await self._call(
            "add-to-campaign",
            _wire.params(campaign_id=campaign_id, contact_ids=id_list(contact_ids)),
            AddResult.parse,
        )
