"""Local search: prefixes as the user types, accents, phone digits, ranking, paging."""

from __future__ import annotations

import pytest
from support.fields import C_COMPANY, C_NAME, G_NAME
from support.records import CONTACT_ROLES, GROUP_ROLES, contact

from snx_desktop.store import Store, build_match, phone_digit_tokens

PEOPLE = {
    "c1": contact("Alice Müller", "Globex", "alice.mueller@globex.example", "+1 (555) 123-4567"),
    "c2": contact("José Álvarez", "Acme Corp", "jalvarez@acme.example", "555-987-6543"),
    "c3": contact("Bob Alison", "Initech", "bob@initech.example", "+44 20 7946 0958"),
    "c4": contact("Chloé Dubois", "Alimentation SA", "chloe@alim.example", ""),
    "c5": contact("Dave Smith", "Umbrella", "dave@umbrella.example", "0049 30 1234567"),
}


@pytest.fixture
def people(store: Store) -> Store:
    store.cache.put_records("contact", PEOPLE)
    store.cache.put_records(
        "group", {"g1": {G_NAME: "Alpine Leads"}, "g2": {G_NAME: "Enterprise Accounts"}}
    )
    return store


def ids(store: Store, text: str, kind: str = "contact", **kw: int) -> list[str]:
    return [h.record_id for h in store.search.search(kind, text, **kw).hits]


def test_prefix_as_the_user_types(people: Store) -> None:
    assert "c1" in ids(people, "a")
    assert "c1" in ids(people, "al")
    assert ids(people, "alic") == ["c1"]
    assert ids(people, "alice") == ["c1"]
    assert ids(people, "alicex") == []


def test_every_word_must_match(people: Store) -> None:
    assert ids(people, "alice glob") == ["c1"]
    assert ids(people, "alice initech") == []
    assert ids(people, "  Bob   ali ") == ["c3"]


def test_diacritics_and_case_are_ignored(people: Store) -> None:
    assert ids(people, "jose") == ["c2"]
    assert ids(people, "JOSÉ") == ["c2"]
    assert ids(people, "alvarez") == ["c2"]
    assert ids(people, "muller") == ["c1"]
    assert ids(people, "chloe") == ["c4"]
    assert ids(people, "Müll") == ["c1"]


def test_company_and_email(people: Store) -> None:
    assert ids(people, "umbrel") == ["c5"]
    assert ids(people, "initech.example") == ["c3"]
    assert ids(people, "jalvarez@acme") == ["c2"]


def test_phone_digits_match_inside_numbers(people: Store) -> None:
    assert ids(people, "5551234567") == ["c1"]
    assert ids(people, "555-123") == ["c1"]
    assert ids(people, "1234567") == ["c1", "c5"] or sorted(ids(people, "1234567")) == [
        "c1",
        "c5",
    ]
    assert ids(people, "9876") == ["c2"]
    assert ids(people, "7946 0958") == ["c3"]
    assert ids(people, "(555) 98") == ["c2"]
    assert ids(people, "20 794") == ["c3"]  # across groups
    assert sorted(ids(people, "1234")) == ["c1", "c5"]  # inside a long group, group start
    assert ids(people, "0049301") == ["c5"]


def test_ranking_prefers_names(people: Store) -> None:
    people.cache.put_records(
        "contact", {f"f{i}": contact(f"Filler Person{i}", "Other") for i in range(30)}
    )
    # "ali" is in c1's first name, c3's last name, c4's company
    found = ids(people, "ali")
    assert set(found) == {"c1", "c3", "c4"}
    assert found[-1] == "c4"  # a company match after name matches
    people.cache.put_record("contact", "c6", contact("Ali Khan", "Zeta", "ali@zeta.example"))
    assert ids(people, "ali")[0] == "c6"  # the whole word first
    assert ids(people, "ali", limit=2, offset=3) == ["c4"]


def test_paging_and_total(store: Store) -> None:
    store.cache.put_records(
        "contact", {f"c{i:03}": contact(f"Sam Person{i:03}", "Acme") for i in range(120)}
    )
    first = store.search.search("contact", "sam", limit=50, offset=0)
    second = store.search.search("contact", "sam", limit=50, offset=50)
    last = store.search.search("contact", "sam", limit=50, offset=100)
    assert first.total == second.total == last.total == 120
    assert (len(first.hits), len(second.hits), len(last.hits)) == (50, 50, 20)
    every = [h.record_id for page in (first, second, last) for h in page.hits]
    assert len(set(every)) == 120
    assert store.search.search("contact", "sam", offset=500).hits == []
    assert first.hits[0].record[C_COMPANY] == "Acme"


def test_groups_are_searched_by_name(people: Store) -> None:
    assert ids(people, "alp", "group") == ["g1"]
    assert ids(people, "accounts", "group") == ["g2"]
    assert ids(people, "alice", "group") == []


def test_updates_and_deletes_reach_the_index(people: Store) -> None:
    people.cache.put_record("contact", "c1", contact("Alicia Keys", "Globex"))
    assert ids(people, "muller") == []
    assert ids(people, "alicia") == ["c1"]
    people.cache.delete_records("contact", ["c1"])
    assert ids(people, "alicia") == []


def test_empty_or_punctuation_query(people: Store) -> None:
    assert people.search.search("contact", "").total == 0
    assert people.search.search("contact", "  ").total == 0
    assert people.search.search("contact", '"*()-:^').total == 0
    # quotes and operators are words, never query syntax (every word must match)
    assert ids(people, 'alice" OR "bob') == []
    assert ids(people, "NOT alice") == []
    assert ids(people, "alice:") == ["c1"]
    assert ids(people, "alice*") == ["c1"]


def test_roles_change_and_reindex(people: Store) -> None:
    assert not people.search.set_roles(CONTACT_ROLES, GROUP_ROLES)
    assert people.search.set_roles({"name": [C_NAME]}, GROUP_ROLES)
    assert list(people.search.reindex("contact", chunk_size=2)) == [2, 4, 5]
    assert ids(people, "globex") == []  # company no longer indexed
    assert ids(people, "alice") == ["c1"]


def test_match_expression_helpers() -> None:
    assert build_match("") is None
    assert build_match("ali") == '"ali"*'
    assert build_match('a"b') == '"a"* AND "b"*'
    assert build_match("555-12") == '(digits : "55512"*) OR ("555"* AND "12"*)'
    assert phone_digit_tokens("+1 555 12") == ["155512", "55512"]
    assert phone_digit_tokens("+1 (555) 123-4567") == [
        "15551234567",
        "5551234567",
        "1234567",
        "4567",
    ]
    assert phone_digit_tokens("5551234") == ["5551234", "551234", "51234", "1234", "234"]
    assert phone_digit_tokens("12") == []


def test_many_matches_come_in_tiers_with_consistent_paging(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import snx_desktop.store.search as search_module

    monkeypatch.setattr(search_module, "RANK_LIMIT", 5)
    records = {
        f"c{i:02}": contact(f"Zed Person{i:02}", "Alpha Ltd", phone=f"+1 555 01{i:02}")
        for i in range(20)
    }
    records["c90"] = contact("Al Green", "Beta")  # whole word "al" in the name
    records["c91"] = contact("Alma Jones", "Gamma")  # "al" as a prefix in the name
    store.cache.put_records("contact", records)
    first = ids(store, "al", limit=3)
    assert first[:2] == ["c90", "c91"]  # name words, then name prefixes, then the rest
    pages = [ids(store, "al", limit=4, offset=o) for o in range(0, 24, 4)]
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) == 22
    assert store.search.search("contact", "al").total == 22
    # digit queries go through the tiers too
    assert set(ids(store, "555 01", limit=50)) == {f"c{i:02}" for i in range(20)}
    assert ids(store, "5550107") == ["c07"]


def test_scan_finds_activities_and_sales_by_their_text_fields(store: Store) -> None:
    store.cache.put_records(
        "activity",
        {
            "a1": {"regarding": "Quarterly review", "details": "bring the Globex numbers"},
            "a2": {"regarding": "Call back", "details": ""},
            "a3": {"regarding": "Lunch", "details": "review menu", "other": "Quarterly"},
            "a4": {"regarding": "Visit Jürgen Müller", "details": ""},
        },
    )
    store.cache.put_records("sale", {"s1": {"231": "Server upgrade"}, "s2": {"231": "Laptops"}})
    scan = store.search.scan
    keys = ("regarding", "details")

    def found(kind: str, text: str, fields: tuple[str, ...] = keys, limit: int = 20) -> list[str]:
        return [h.record_id for h in scan(kind, text, fields, limit=limit)]

    assert found("activity", "quarterly REV") == ["a1"]  # every word, any case, any field
    assert found("activity", "review") == ["a1", "a3"]
    assert found("activity", "review", limit=1) == ["a1"]
    assert found("activity", "globex numbers") == ["a1"]  # the words across a field
    assert found("activity", "quarterly", ("regarding",)) == ["a1"]  # only the fields named
    assert found("sale", "upgr", ("231",)) == ["s1"]
    assert found("activity", "MÜLLER jür") == ["a4"]  # accented letters, any case
    assert found("activity", "regarding") == []  # field names are not text
    assert found("activity", "  ") == []
    assert found("activity", "review", ()) == []
    hit = scan("sale", "laptops", ("231",))[0]
    assert hit.record == {"231": "Laptops"}
    assert hit.fetched_at > 0
