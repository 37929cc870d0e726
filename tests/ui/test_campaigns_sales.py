"""Campaign details list the members this computer knows of and say what SalesNexus cannot
tell; the sales list's footer counts and totals the rows shown per status; a sale's and an
activity's details show the fields outside their list's columns (a sale's group and
probability, an activity's group)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.waiting import until
from support.windows import first_page, signed_in

from snx_desktop.models.roles import Roles
from snx_desktop.ui.campaignview import NO_MEMBER_LIST

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _values(w: Any) -> dict[str, str]:
    fm = w.detail.record.fields_model
    return {fm.index(r, 0).data(): fm.index(r, 1).data() for r in range(fm.rowCount())}


@pytest.mark.asyncio
async def test_a_campaign_lists_the_contacts_added_from_here_waiting_then_sent(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w, svc = s.window, s.services
        await first_page(s)
        await until(lambda: w.detail.campaign_members is not None, 10, "features")
        contacts = w.list_pane.models["contact"]
        ids = [contacts.record_id(i) for i in range(2)]
        names = [str(contacts.index(i, 0).data()) for i in range(2)]
        await first_page(s, "campaign")
        w.list_pane.select_row(0)
        campaign = w.list_pane.models["campaign"].index(0, 0).data(Roles.RECORD)
        assert w.detail.kind == "campaign"
        assert w.detail.record.fields.note.text() == NO_MEMBER_LIST
        assert _values(w)["Added from this computer"] == "none yet"

        svc.connectivity.set_work_offline(True)
        await svc.writes.add_to_campaign(str(campaign["campaign-id"]), ids)
        await until(lambda: "Waiting to be sent (2)" in _values(w), 10, "the waiting members")
        assert _values(w)["Waiting to be sent (2)"] == ", ".join(names)

        svc.connectivity.set_work_offline(False)
        await until(lambda: "Added from this computer (2)" in _values(w), 30, "the sent members")
        assert _values(w)["Added from this computer (2)"] == ", ".join(names)
        assert not any(k.startswith("Waiting") for k in _values(w))

    # what was sent is remembered by the offline store
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "campaign")
        w.list_pane.select_row(0)
        await until(lambda: "Added from this computer (2)" in _values(w), 10, "remembered members")


@pytest.mark.asyncio
async def test_the_sales_footer_counts_and_totals_the_rows_shown_per_status(
    sandbox: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "sale")
        lp = w.list_pane
        model = lp.models["sale"]
        footer = lp.sales_footer
        assert footer.isVisible()
        labels = [
            str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
        ]
        status_col, amount_col = labels.index("Status"), labels.index("Amount")
        expected: dict[str, list[float]] = {}
        for row in range(model.loaded_count):
            status = str(model.index(row, status_col).data())
            shown = str(model.index(row, amount_col).data() or "0")
            amount = float(shown.replace("$", "").replace(",", "") or 0)
            expected.setdefault(status, []).append(amount)
        assert set(expected) <= {"Open", "Won", "Lost"}
        text = footer.text().replace("\u00a0", " ")
        assert f"the {model.loaded_count:,} sales shown" in footer.toolTip()
        for status, amounts in expected.items():
            assert f"{status}: {len(amounts):,} · ${sum(amounts):,.2f}" in text
        await first_page(s, "contact")
        assert not footer.isVisible()


@pytest.mark.asyncio
async def test_a_sales_details_show_every_field_it_has(fresh_sandbox: Any, tmp_path: Path) -> None:
    from support.fields import G_NAME, S_DETAILS, S_GROUP, S_PROBABILITY, S_STATUS

    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "group")
        group = w.list_pane.models["group"].record(0)
        assert group is not None
        await first_page(s, "sale")
        made = await s.services.writes.create_sale(
            {
                S_GROUP: w.list_pane.models["group"].record_id(0),
                S_STATUS: "0",
                S_DETAILS: "Team plan",
                S_PROBABILITY: "40",
            }
        )
        model = w.list_pane.models["sale"]
        assert model.row_of(made.ids[0]) == 0
        assert w.list_pane.select_row(0)
        assert (w.detail.kind, w.detail.record_id) == ("sale", made.ids[0])
        values = _values(w)
        # fields outside the Sales layout: the group it is on (by name) and its probability
        assert values["Group"] == group[G_NAME]
        assert values["Probability"].startswith("40")
        assert values["Details"] == "Team plan"


@pytest.mark.asyncio
async def test_a_group_activitys_details_name_the_group(fresh_sandbox: Any, tmp_path: Path) -> None:
    from support.fields import G_NAME

    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "group")
        groups = w.list_pane.models["group"]
        group = groups.record(0)
        assert group is not None
        await first_page(s, "activity")
        made = await s.services.writes.create_group_activity(
            groups.record_id(0), type="meeting", regarding="Group kick-off"
        )
        model = w.list_pane.models["activity"]
        assert model.row_of(made.ids[0]) == 0
        assert w.list_pane.select_row(0)
        assert (w.detail.kind, w.detail.record_id) == ("activity", made.ids[0])
        assert _values(w)["Group"] == group[G_NAME]
