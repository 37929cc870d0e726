"""The phone-number index: numbers in any format find the contact, and the index follows
writes, deletions, temporary ids becoming real ones, the region, and the v3 to v4 upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fields import C_MOBILE, C_PHONE
from support.records import BASE_URL, CONTACT_ROLES, EMAIL, GROUP_ROLES, contact

from snx_desktop.store import Store
from snx_desktop.store.paths import account_dir
from snx_desktop.store.phones import normalize

ROLES = {**CONTACT_ROLES, "phone": [C_PHONE, C_MOBILE]}


@pytest.fixture
def phones(store: Store) -> Store:
    store.search.set_roles(ROLES, GROUP_ROLES)
    store.cache.put_records(
        "contact",
        {
            "c1": {**contact("Ada Byron", phone="(483) 555-2775"), C_MOBILE: "+44 20 7946 0958"},
            "c2": contact("Bo Chen", phone="483.555.9000"),
            "c3": {**contact("Cy Dane"), C_MOBILE: "+1 483 555 9000"},
            "c4": contact("Di Eve", phone="call reception"),
        },
    )
    return store


def found(store: Store, typed: str) -> list[str]:
    number = normalize(typed, store.search.phone_region())
    assert number is not None, typed
    return store.search.contacts_with_phone(number)


@pytest.mark.parametrize(
    "typed", ["(483) 555-2775", "+14835552775", "483.555.2775", "1-483-555-2775", "4835552775"]
)
def test_a_number_in_any_format_finds_the_contact(phones: Store, typed: str) -> None:
    assert found(phones, typed) == ["c1"]


def test_mobile_numbers_and_several_contacts(phones: Store) -> None:
    assert found(phones, "+44 (0)20 7946 0958") == ["c1"]
    assert found(phones, "483 555 9000") == ["c2", "c3"]
    assert found(phones, "483 555 0000") == []


def test_text_that_is_no_number_is_not_read_as_one() -> None:
    assert normalize("call reception") is None
    assert normalize("12") is None
    assert normalize("") is None


def test_the_index_follows_changes_deletions_and_new_ids(phones: Store) -> None:
    phones.cache.put_record("contact", "c2", {C_PHONE: "483 555 1111"}, merge=True)
    assert found(phones, "483 555 9000") == ["c3"]
    assert found(phones, "4835551111") == ["c2"]
    phones.cache.delete_records("contact", ["c3"])
    assert found(phones, "483 555 9000") == []
    temp = phones.cache.new_temp_id()
    phones.cache.put_record("contact", temp, contact("New Lead", phone="483-555-4242"))
    assert found(phones, "4835554242") == [temp]
    with phones.transaction():
        phones.cache.remap(temp, "c9")
    assert found(phones, "4835554242") == ["c9"]


def test_the_region_reads_numbers_without_a_country_code(phones: Store) -> None:
    phones.cache.put_record("contact", "c5", contact("Ed Fox", phone="020 7946 0999"))
    assert found(phones, "+44 20 7946 0999") == []  # read as a US number
    assert phones.search.set_phone_region("gb")
    assert not phones.search.set_phone_region("GB")
    for _ in phones.search.reindex("contact"):
        pass
    assert found(phones, "+44 20 7946 0999") == ["c5"]
    assert found(phones, "+44 20 7946 0958") == ["c1"]  # written with its country code


def test_the_region_is_kept_with_the_store(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.search.set_phone_region("DE")
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.search.phone_region() == "DE"


def test_a_v3_store_gets_the_numbers_it_already_caches(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.search.set_roles(ROLES, GROUP_ROLES)
        store.cache.put_records("contact", {"c1": contact("Ada Byron", phone="(483) 555-2775")})
    path = account_dir(BASE_URL, EMAIL, profile) / "store.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE phone_numbers")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.schema_version == 4
        assert found(store, "+14835552775") == ["c1"]


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet="0123456789 +-().", max_size=22),
        st.from_regex(r"\+?1?[ -.]?\(?[2-9]\d\d\)?[ -.]?\d{3}[ -.]?\d{4}", fullmatch=True),
    ),
    region=st.sampled_from(["US", "CA", "GB", "DE", "FR"]),
)
def test_the_quick_reading_of_north_american_numbers_agrees_with_phonenumbers(
    text: str, region: str
) -> None:
    import phonenumbers

    expected: str | None = None
    if any(ch.isdigit() for ch in text):
        try:
            number = phonenumbers.parse(text.strip(), region)
            if phonenumbers.is_possible_number(number):
                expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
    assert normalize.__wrapped__(text, region) == expected
