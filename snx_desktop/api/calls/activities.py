"""The activity calls, of contacts and of groups."""

from __future__ import annotations

from .. import _wire
from ..results import (
    Activity,
    CompletedActivity,
    Created,
    RecordList,
)
from .base import CallsBase, DateLike, lister


class ActivityCalls(CallsBase):
    """The activity calls, of contacts and of groups."""

    async def get_activities(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
        user_id: str | None = None,
    ) -> RecordList[Activity]:
        return await self._call(
            "get-activities",
            _wire.params(
                filter_value=filter_value,
                start_after=start_after,
                page_size=page_size,
                user_id=user_id,
            ),
            lister("activity", Activity.parse, start_after),
        )

    async def create_activity(
        self,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "create-activity",
            _wire.params(
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )

    async def update_activity(
        self,
        activity_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "update-activity",
            _wire.params(
                activity_id=activity_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )

    async def complete_activity(
        self,
        activity_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        type: str | None = None,
        details: str | None = None,
        color: str | None = None,
        result: str | None = None,
    ) -> CompletedActivity:
        return await self._call(
            "complete-activity",
            _wire.params(
                activity_id=activity_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                type=type,
                details=details,
                color=color,
                result=result,
            ),
            CompletedActivity.parse,
        )

    async def get_activity_info(self, activity_id: str) -> Activity:
        return await self._call(
            "get-activity-info", _wire.params(activity_id=activity_id), Activity.parse_info
        )

    async def get_activities_for_group(
        self,
        group_id: str,
        *,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Activity]:
        return await self._call(
            "get-activities-for-group",
            _wire.params(group_id=group_id, start_after=start_after, page_size=page_size),
            lister("activity", Activity.parse, start_after),
        )

    async def create_activity_for_group(
        self,
        group_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "create-activity-for-group",
            _wire.params(
                group_id=group_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )
