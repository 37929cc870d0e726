"""Caller lookup in the window, offline: a number in any format opens the one contact that has
it; several contacts give a list to pick from; an unknown number offers a new contact with it
or adds it to an existing one; text that is no phone number is said so and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialog, QWidget
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_MOBILE, C_NAME, C_PHONE
from support.waiting import until
from support.windows import first_page, settings_in, signed_in

from snx_desktop.api.client import SalesNexusClient
from snx_desktop.ui.caller import (
    REGION_SETTING,
    AddNumberDialog,
    CallerPicker,
    CallHandler,
    region_for,
)
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog
from snx_desktop.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def _callers(server: Any) -> dict[str, str]:
    """Contacts on the server with the numbers the tests call from."""
    people = {
        "ada": {C_NAME: "Ada Caller", C_PHONE: "(483) 555-2775"},
        "ben": {C_NAME: "Ben Twin", C_PHONE: "+1 483 555 9000"},
        "cai": {C_NAME: "Cai Twin", C_MOBILE: "483.555.9000"},
    }
    async with SalesNexusClient(server.base_url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        return {
            key: (await client.create_contact(contact_field_data=fields)).id
            for key, fields in people.items()
        }


def _shown(window: MainWindow, kind: type[QWidget], name: str) -> Any:
    for widget in window.findChildren(kind, name):
        if widget.isVisible():
            return widget
    return None


async def _offline_session(server: Any, profile: Path) -> Any:
    ids = await _callers(server)
    session = signed_in(server, profile, page_size=100)
    s = await session.__aenter__()
    await first_page(s)
    await until(lambda: s.window.features.services is not None, 10, "the features")
    cached = s.services.store.cache.get_records("contact", ids.values())
    assert len(cached) == 3
    server.stop()  # the network is gone: only the store answers from here on
    return session, s, ids


def _handler(window: MainWindow, profile: Path) -> CallHandler:
    settings = settings_in(profile)
    settings.setValue(REGION_SETTING, "US")
    handler = CallHandler(window, settings)
    handler.ready()
    return handler


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "number", ["(483) 555-2775", "+14835552775", "483.555.2775", "tel:+1-483-555-2775"]
)
async def test_a_number_in_any_format_opens_its_contact_offline(
    fresh_sandbox: Any, tmp_path: Path, number: str
) -> None:
    session, s, ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        w.navigation.select("group")
        handler = _handler(w, tmp_path)
        handler.handle(number)
        await until(lambda: w.detail.record_id == ids["ada"], 10, "the caller's contact")
        assert w.detail.kind == "contact"
        assert w.list_pane.section == "contact"
        assert _shown(w, QDialog, "callerPicker") is None
    finally:
        await session.__aexit__(None, None, None)


@pytest.mark.asyncio
async def test_several_contacts_with_the_number_are_listed_to_pick_from(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    session, s, ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        before = w.detail.record_id
        _handler(w, tmp_path).handle("483 555 9000")
        await until(lambda: _shown(w, CallerPicker, "callerPicker"), 10, "the picker")
        picker = _shown(w, CallerPicker, "callerPicker")
        assert picker.windowModality() == Qt.WindowModality.WindowModal  # shown with open()
        names = [picker.matches.item(i).text() for i in range(picker.matches.count())]
        assert sorted(names) == ["Ben Twin", "Cai Twin"]
        assert w.detail.record_id == before  # nothing opens until the rep picks
        picker.matches.setCurrentRow(names.index("Cai Twin"))
        picker.open_button.click()
        await until(lambda: w.detail.record_id == ids["cai"], 10, "the picked contact")
    finally:
        await session.__aexit__(None, None, None)


@pytest.mark.asyncio
async def test_an_unknown_number_becomes_a_new_contact_with_that_number(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    session, s, _ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        handler = _handler(w, tmp_path)
        handler.handle("483-555-0142")
        await until(lambda: _shown(w, QDialog, "callerNoMatch"), 10, "the offer")
        offer = _shown(w, QDialog, "callerNoMatch")
        assert "+1 483-555-0142" in offer.findChild(QWidget, "noMatchText").text()
        offer.new_button.click()
        await until(lambda: _shown(w, NewRecordDialog, "newContactDialog"), 10, "New contact")
        dialog = _shown(w, NewRecordDialog, "newContactDialog")
        assert dialog.form.values()[C_PHONE] == "+1 483-555-0142"
        dialog.form.set_value(C_NAME, "Dee New")
        dialog.ok_button.click()
        await until(lambda: w.detail.record_id.startswith("tmp-"), 10, "the new contact opened")
        created = w.detail.record_id
        w.detail.open_record("contact", _ids["ada"], None)
        handler.handle("(483) 555-0142")  # queued, not sent: the store knows it already
        await until(lambda: w.detail.record_id == created, 10, "the new contact found")
    finally:
        await session.__aexit__(None, None, None)


@pytest.mark.asyncio
async def test_an_unknown_number_is_added_to_an_existing_contact(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    session, s, ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        handler = _handler(w, tmp_path)
        handler.handle("+1 483 555 0177")
        await until(lambda: _shown(w, QDialog, "callerNoMatch"), 10, "the offer")
        _shown(w, QDialog, "callerNoMatch").add_button.click()
        await until(lambda: _shown(w, AddNumberDialog, "addNumberDialog"), 10, "the add dialog")
        dialog = _shown(w, AddNumberDialog, "addNumberDialog")
        dialog.search.setText("Ada Call")
        assert [dialog.matches.item(i).text() for i in range(dialog.matches.count())] == [
            "Ada Caller"
        ]
        dialog.field.setCurrentIndex(dialog.field.findData(C_MOBILE))
        dialog.ok_button.click()
        await until(lambda: w.detail.record_id == ids["ada"], 10, "Ada opened")
        pending = s.services.writes.pending()
        assert len(pending) == 1  # the change waits in the queue, sent once online
        cached = s.services.store.cache.get_record("contact", ids["ada"])
        assert cached is not None
        assert cached.value[C_MOBILE] == "+1 483-555-0177"
        assert cached.value[C_PHONE] == "(483) 555-2775"
        w.navigation.select("group")
        handler.handle("4835550177")
        await until(lambda: w.list_pane.section == "contact", 10, "Ada found by her new number")
        assert w.detail.record_id == ids["ada"]
        assert _shown(w, QDialog, "callerNoMatch") is None
    finally:
        await session.__aexit__(None, None, None)


@pytest.mark.asyncio
async def test_text_that_is_no_phone_number_is_said_so_and_changes_nothing(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    session, s, _ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        before = (w.detail.kind, w.detail.record_id)
        handled: list[str] = []
        handler = _handler(w, tmp_path)
        handler.handled.connect(lambda typed, _found: handled.append(typed))
        handler.handle("tel:call-me-back")
        await until(lambda: handled, 10, "the lookup")
        assert handled == ["call-me-back"]
        bar = w.message_bar
        assert bar.level == "warning"
        assert "“call-me-back” is not a phone number" in bar.text.text()
        assert "nothing was changed" in bar.text.text()
        assert (w.detail.kind, w.detail.record_id) == before
        assert _shown(w, QDialog, "callerNoMatch") is None
        assert _shown(w, QDialog, "callerPicker") is None
        assert s.services.writes.pending() == []
    finally:
        await session.__aexit__(None, None, None)


def test_the_region_comes_from_the_setting_else_the_locale(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    before = QLocale()
    try:
        QLocale.setDefault(QLocale("en_GB"))
        assert region_for(settings) == "GB"
        settings.setValue(REGION_SETTING, "DE")
        assert region_for(settings) == "DE"
    finally:
        QLocale.setDefault(before)


@pytest.mark.asyncio
async def test_numbers_that_come_before_the_account_opens_wait_for_it(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    session, s, ids = await _offline_session(fresh_sandbox, tmp_path)
    try:
        w = s.window
        settings = settings_in(tmp_path)
        settings.setValue(REGION_SETTING, "US")
        handler = CallHandler(w, settings)
        handled: list[str] = []
        handler.handled.connect(lambda typed, _found: handled.append(typed))
        handler.handle("+1 483 555 2775")  # at start-up, before sign-in
        account: list[Any] = [None]
        handler.ready(lambda: account[0])  # the sign-in did not open an account
        handler.handle("tel:call-me")
        assert handled == []
        assert w.detail.record_id != ids["ada"]
        account[0] = s.services  # signed in later: the next number brings the earlier ones
        handler.handle("483.555.2775")
        await until(lambda: len(handled) == 3, 10, "every number looked up")
        assert sorted(handled) == ["+1 483 555 2775", "483.555.2775", "call-me"]
        assert w.detail.record_id == ids["ada"]
    finally:
        await session.__aexit__(None, None, None)
