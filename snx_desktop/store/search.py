"""Local search: an FTS5 index over cached contacts and groups, answering as the user types.

Which field holds a name, a company, an e-mail or a phone is only known at run time (fields
are discovered by ``get-all-fields``), so the caller gives a role -> field-ids map. Every word
of a query is a prefix, accents and case are ignored (``unicode61 remove_diacritics 2``), and
digit runs also match inside phone numbers: each phone's digits are indexed with all their
suffixes, so a prefix query on them is a substring query. Contacts' phone numbers are also kept
in E.164 in the phone-number index (:mod:`snx_desktop.store.phones`), for caller lookup.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import phones
from .db import Database
from .types import SEARCH_KINDS, Record, check_kind

ROLE_COLUMNS: dict[str, str] = {
    "name": "name",
    "first-name": "name",
    "last-name": "name",
    "company": "company",
    "email": "email",
    "phone": "phone",
}
_FTS_TABLE = {"contact": "contact_fts", "group": "group_fts"}
# bm25 weights for name, company, email, phone, digits
_WEIGHTS = "10.0, 5.0, 3.0, 2.0, 1.0"
_ROLES_CATALOG = "search_roles"
_REGION_CATALOG = "phone_region"
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_PHONEISH = re.compile(r"[\d\s+\-().\/]+")
_MIN_DIGITS = 3
RANK_LIMIT = 2000
"""Above this many matches, matches within a tier come in cache order, not by bm25."""


@dataclass(frozen=True)
class SearchHit:
    """One match: the record's id, its cached record and when it was fetched."""

    record_id: str
    record: Record
    fetched_at: float


@dataclass(frozen=True)
class SearchPage:
    """One page of matches, best first, and how many records match in all."""

    total: int
    hits: list[SearchHit]


def phone_digit_tokens(phone: str) -> list[str]:
    """Digit strings indexed for a phone number, so digit queries match inside it.

    The number's digits from the start of each group ("+1 (555) 123-4567" gives
    15551234567, 5551234567, 1234567, 4567), and from every position inside a group longer
    than four digits (numbers stored without separators); at least three digits each.
    """
    groups = _DIGITS.findall(phone)
    digits = "".join(groups)
    starts: set[int] = set()
    pos = 0
    for group in groups:
        if len(group) > 4:
            starts.update(range(pos, pos + len(group)))
        else:
            starts.add(pos)
        pos += len(group)
    return [digits[i:] for i in sorted(starts) if len(digits) - i >= _MIN_DIGITS]


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def build_match(text: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed (None when nothing to search)."""
    words = _WORD.findall(text.replace("_", " "))
    if not words:
        return None
    words_expr = " AND ".join(_quote(w) + "*" for w in words)
    if _PHONEISH.fullmatch(text.strip()):
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= _MIN_DIGITS:
            return f"(digits : {_quote(digits)}*) OR ({words_expr})"
    return words_expr


class Search:
    """Maintains the search index (called by the cache) and answers queries."""

    def __init__(self, db: Database, *, roles_from: Search | None = None) -> None:
        """``roles_from``: index with that search's roles, as they are at each write (a
        store writer's search follows the store's, whose roles the schema sets)."""
        self._db = db
        self._roles_from = roles_from
        self._roles: dict[str, dict[str, list[str]]] = {"contact": {}, "group": {}}
        self._region = phones.DEFAULT_REGION
        if roles_from is not None:
            return
        region = db.conn.execute(
            "SELECT value FROM catalog WHERE name = ?", (_REGION_CATALOG,)
        ).fetchone()
        if region is not None:
            self._region = phones.clean_region(str(region[0]))
        row = db.conn.execute(
            "SELECT value FROM catalog WHERE name = ?", (_ROLES_CATALOG,)
        ).fetchone()
        if row is not None:
            try:
                stored = json.loads(row[0])
                self._roles = {k: _clean_roles(stored.get(k, {})) for k in SEARCH_KINDS}
            except (ValueError, AttributeError):
                pass

    # -- roles -------------------------------------------------------------------------------
    def _current_roles(self) -> dict[str, dict[str, list[str]]]:
        # set_roles replaces the whole map, so reading it from another thread is safe
        source = self._roles_from
        return self._roles if source is None else source._current_roles()

    def roles(self, kind: str) -> dict[str, list[str]]:
        """The role -> field-ids map in use for ``kind``."""
        check_kind(kind, SEARCH_KINDS)
        return {k: list(v) for k, v in self._current_roles()[kind].items()}

    def set_roles(
        self, contact: Mapping[str, Sequence[str]], group: Mapping[str, Sequence[str]]
    ) -> bool:
        """Set which fields hold which role. True when they changed: then run :meth:`reindex`.

        On a search that follows another's roles (``roles_from``), set them on that one."""
        if self._roles_from is not None:
            raise RuntimeError("this search follows another's roles: set them there")
        new = {"contact": _clean_roles(contact), "group": _clean_roles(group)}
        if new == self._roles:
            return False
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO catalog(name, value, fetched_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (_ROLES_CATALOG, json.dumps(new, sort_keys=True), time.time()),
            )
        self._roles = new
        return True

    def phone_region(self) -> str:
        """The region of numbers written without ``+`` in the phone-number index."""
        source = self._roles_from
        return self._region if source is None else source.phone_region()

    def set_phone_region(self, region: str) -> bool:
        """Set the default region of phone numbers. True when it changed: then run
        :meth:`reindex` for contacts (numbers without ``+`` may now read differently)."""
        if self._roles_from is not None:
            raise RuntimeError("this search follows another's region: set it there")
        region = phones.clean_region(region)
        if region == self._region:
            return False
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO catalog(name, value, fetched_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (_REGION_CATALOG, region, time.time()),
            )
        self._region = region
        return True

    def contacts_with_phone(self, number: str) -> list[str]:
        """Ids of the cached contacts with the E.164 ``number`` (see :func:`phones.normalize`
        with :meth:`phone_region`)."""
        return phones.contacts_with(self._db.conn, number)

    # -- indexing (used by the cache, inside its transactions) -------------------------------
    @staticmethod
    def phone_values(record: Mapping[str, Any], roles: Mapping[str, Sequence[str]]) -> list[str]:
        """The record's phone numbers: the values of its phone fields (role
        :data:`phones.CALLER_ROLE`, else the search's ``phone`` role)."""
        fields = roles.get(phones.CALLER_ROLE) or roles.get("phone", ())
        values = (record.get(fid) for fid in fields)
        return [str(v) for v in values if v not in (None, "")]

    def columns(
        self,
        kind: str,
        record: Mapping[str, Any],
        roles: Mapping[str, Sequence[str]] | None = None,
    ) -> tuple[str, str, str, str, str]:
        """The five indexed texts of a record: name, company, e-mail, phone, phone digits
        (by ``roles``, or the roles in use)."""
        if roles is None:
            roles = self._current_roles().get(kind) or {}
        if not roles:
            text = " ".join(str(v) for v in record.values() if v not in (None, ""))
            return (text, "", "", "", "")
        parts: dict[str, list[str]] = {"name": [], "company": [], "email": [], "phone": []}
        for role, field_ids in roles.items():
            column = ROLE_COLUMNS.get(role)
            if column is None:
                continue
            for fid in field_ids:
                value = record.get(fid)
                if value not in (None, ""):
                    parts[column].append(str(value))
        digits: list[str] = []
        for phone in parts["phone"]:
            digits.extend(phone_digit_tokens(phone))
        # full name plus first and last name: each word once
        names = " ".join(dict.fromkeys(" ".join(parts["name"]).split()))
        return (
            names,
            " ".join(parts["company"]),
            " ".join(parts["email"]),
            " ".join(parts["phone"]),
            " ".join(digits),
        )

    def index(self, kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        """(Re)index records given as (records.rid, record); call inside a transaction."""
        if kind not in _FTS_TABLE:
            return
        table = _FTS_TABLE[kind]
        rows = list(rows)
        roles = self._current_roles().get(kind) or {}  # the same roles for every row
        self._db.conn.executemany(
            f"INSERT OR REPLACE INTO {table}(rowid, name, company, email, phone, digits) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(rid, *self.columns(kind, rec, roles)) for rid, rec in rows],
        )
        if kind == "contact":
            region = self.phone_region()
            numbers = [(rid, self.phone_values(rec, roles)) for rid, rec in rows]
            phones.index(self._db.conn, numbers, region)

    def unindex(self, kind: str, rids: Iterable[int]) -> None:
        """Drop records (by records.rid) from the index; call inside a transaction."""
        if kind not in _FTS_TABLE:
            return
        rids = list(rids)
        self._db.conn.executemany(
            f"DELETE FROM {_FTS_TABLE[kind]} WHERE rowid = ?", [(rid,) for rid in rids]
        )
        if kind == "contact":
            phones.unindex(self._db.conn, rids)

    def reindex(
        self, kind: str | None = None, *, chunk_size: int = 2000
    ) -> Generator[int, None, None]:
        """Rebuild the index from the cached records, one committed chunk per step."""
        kinds = SEARCH_KINDS if kind is None else (kind,)
        done = 0
        for k in kinds:
            check_kind(k, SEARCH_KINDS)
            with self._db.tx() as conn:
                conn.execute(f"DELETE FROM {_FTS_TABLE[k]}")
                if k == "contact":
                    phones.clear(conn)
            last = 0
            while True:
                with self._db.tx() as conn:
                    rows = conn.execute(
                        "SELECT rid, data FROM records WHERE kind = ? AND rid > ? "
                        "ORDER BY rid LIMIT ?",
                        (k, last, chunk_size),
                    ).fetchall()
                    if not rows:
                        break
                    self.index(k, [(rid, json.loads(data)) for rid, data in rows])
                    last = rows[-1][0]
                done += len(rows)
                yield done

    # -- queries -----------------------------------------------------------------------------
    def search(self, kind: str, text: str, *, limit: int = 50, offset: int = 0) -> SearchPage:
        """Cached records of ``kind`` matching ``text``, best first, with the total count.

        Matches come in tiers: whole words of the name, then name prefixes, then the other
        fields (company, e-mail, phone). Within a tier they are ranked by bm25 when there are
        at most :data:`RANK_LIMIT` matches in all; above that (a letter or two typed),
        ranking every match would cost more than the user waits, so they come in cache order.
        """
        check_kind(kind, SEARCH_KINDS)
        match = build_match(text)
        if match is None or limit <= 0:
            return SearchPage(0, [])
        table = _FTS_TABLE[kind]
        total = self._count(table, match)
        offset = max(0, offset)
        if total == 0 or offset >= total:
            return SearchPage(total, [])
        words = _WORD.findall(text.replace("_", " "))
        exact = "name : (" + " AND ".join(_quote(w) for w in words) + ")"
        prefix = f"name : ({match})"
        tiers = [exact, f"({prefix}) NOT ({exact})", f"({match}) NOT ({prefix})"]
        order = f"bm25({table}, {_WEIGHTS})" if total <= RANK_LIMIT else "rowid"
        rows: list[tuple[str, str, float]] = []
        for tier in tiers:
            if len(rows) >= limit:
                break
            size = self._count(table, tier)
            if offset >= size:
                offset -= size
                continue
            rows += self._db.conn.execute(
                f"SELECT r.id, r.data, r.fetched_at FROM "
                f"(SELECT rowid AS rid, {order} AS score FROM {table} WHERE {table} MATCH ? "
                " ORDER BY score LIMIT ? OFFSET ?) AS m "
                "JOIN records AS r ON r.rid = m.rid ORDER BY m.score, m.rid",
                (tier, limit - len(rows), offset),
            ).fetchall()
            offset = 0
        hits = [SearchHit(rid, json.loads(data), fetched) for rid, data, fetched in rows]
        return SearchPage(total, hits)

    def scan(
        self, kind: str, text: str, keys: Sequence[str], *, limit: int = 20
    ) -> list[SearchHit]:
        """Cached records of ``kind`` (one not in the full-text index: activities, sales)
        whose fields ``keys`` hold every word of ``text`` (case ignored), the first
        ``limit`` found.

        A scan of that kind's records: SQLite keeps only the records whose stored text holds
        the words, then the fields named are checked here; for kinds of modest size.
        """
        check_kind(kind)
        words = [w.casefold() for w in _WORD.findall(text.replace("_", " "))]
        if not words or not keys or limit <= 0:
            return []
        # the stored JSON escapes other characters than ASCII: those words are checked here only
        plain = [w for w in words if w.isascii()]
        where = "".join(" AND instr(lower(data), ?) > 0" for _ in plain)
        cursor = self._db.conn.execute(
            f"SELECT id, data, fetched_at FROM records WHERE kind = ?{where}", (kind, *plain)
        )
        hits: list[SearchHit] = []
        try:
            for rid, data, fetched in cursor:
                record = json.loads(data)
                blob = " ".join(str(record.get(k) or "") for k in keys).casefold()
                if all(w in blob for w in words):
                    hits.append(SearchHit(rid, record, fetched))
                    if len(hits) >= limit:
                        break
        finally:
            cursor.close()
        return hits

    def _count(self, table: str, match: str) -> int:
        row = self._db.conn.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (match,))
        return int(row.fetchone()[0])


def _clean_roles(roles: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for role, ids in roles.items():
        if isinstance(ids, str):
            ids = [ids]
        out[str(role)] = [str(i) for i in ids]
    return out
