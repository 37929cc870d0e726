"""Deterministic demo data: people, companies, groups, campaigns, notes, activities, sales
and a few documents. The same seed gives the same records (dates follow today's date)."""

from __future__ import annotations

import logging
import random
import time
import unicodedata
import uuid
from datetime import datetime, timedelta
from typing import Any

from . import catalogue as cat
from .params import format_datetime
from .storage import (
    SCHEMA,
    Database,
    contact_search,
    contact_sort_key,
    contact_value_rows,
    encode_data,
    group_sort_key,
    sales_search,
)

log = logging.getLogger(__name__)

FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Dorothy",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Edward",
    "Rebecca",
    "Jason",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Emma",
    "Scott",
    "Nicole",
    "Brandon",
    "Helen",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Frank",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Catherine",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Ruth",
    "Jose",
    "Julie",
    "Adam",
    "Olivia",
    "Nathan",
    "Joyce",
    "Henry",
    "Virginia",
    "Zoë",
    "José",
    "Søren",
    "Łukasz",
    "Renée",
    "Chloé",
    "Björn",
    "Mía",
    "Aiko",
    "Priya",
    "Wei",
    "Olumide",
    "Fatima",
    "Mateo",
    "Ingrid",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jiménez",
    "Müller",
    "O'Brien",
    "Nakamura",
    "Kowalski",
    "Lindqvist",
    "Okonkwo",
    "Dubois",
    "Rossi",
    "Haddad",
    "Søndergaard",
]
COMPANY_A = [
    "Acme",
    "Apex",
    "Blue",
    "Bright",
    "Cedar",
    "Summit",
    "Pioneer",
    "Harbor",
    "Iron",
    "Golden",
    "Silver",
    "Northern",
    "Coastal",
    "Prairie",
    "Lone",
    "Star",
    "Quantum",
    "Vertex",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Crescent",
    "Evergreen",
    "Falcon",
    "Granite",
    "Horizon",
    "Keystone",
    "Liberty",
    "Maple",
    "Meridian",
    "Nova",
    "Orion",
    "Pinnacle",
    "Redwood",
    "Sterling",
    "Titan",
    "Unified",
    "Vista",
    "Willow",
]
COMPANY_B = [
    "Logistics",
    "Energy",
    "Health",
    "Analytics",
    "Foods",
    "Construction",
    "Software",
    "Partners",
    "Dynamics",
    "Systems",
    "Realty",
    "Labs",
    "Manufacturing",
    "Consulting",
    "Media",
    "Capital",
    "Outfitters",
    "Supply",
    "Robotics",
    "Medical",
    "Insurance",
    "Freight",
    "Solar",
    "Design",
    "Networks",
]
COMPANY_SUFFIX = ("Inc.", "LLC", "Ltd.", "Group", "Co.", "Corp.", "")
TITLES = (
    "CEO",
    "CFO",
    "Owner",
    "Office Manager",
    "Sales Director",
    "Purchasing Manager",
    "Marketing Lead",
    "Account Executive",
    "Operations Manager",
    "IT Director",
    "Consultant",
    "Project Manager",
    "VP Sales",
    "Buyer",
    "",
)
CITIES = (
    ("Houston", "TX"),
    ("Austin", "TX"),
    ("Dallas", "TX"),
    ("Denver", "CO"),
    ("Chicago", "IL"),
    ("Seattle", "WA"),
    ("Portland", "OR"),
    ("Atlanta", "GA"),
    ("Boston", "MA"),
    ("Phoenix", "AZ"),
    ("Miami", "FL"),
    ("Nashville", "TN"),
    ("San Diego", "CA"),
    ("Columbus", "OH"),
    ("Raleigh", "NC"),
    ("Minneapolis", "MN"),
)
GROUP_NAMES = (
    "VIP Customers",
    "Newsletter",
    "Trade Show Leads",
    "Partners",
    "Prospects Q1",
    "Prospects Q2",
    "Lapsed Customers",
    "Webinar Attendees",
    "Referral Program",
    "Resellers",
    "Enterprise Accounts",
    "Small Business",
    "Holiday Cards",
    "Beta Testers",
    "Board Contacts",
)
CAMPAIGNS = (
    "Spring Promotion",
    "Welcome Series",
    "Product Launch",
    "Renewal Reminder",
    "Customer Survey",
    "Year-End Offer",
)
REGARDING = {
    "call": (
        "Follow-up call",
        "Discuss proposal",
        "Check in on renewal",
        "Intro call",
        "Return voicemail",
    ),
    "meeting": (
        "Quarterly review",
        "Product demo",
        "Contract negotiation",
        "Site visit",
        "Lunch meeting",
    ),
    "todo": (
        "Send quote",
        "Prepare contract",
        "Update pricing sheet",
        "Mail brochure",
        "Schedule training",
    ),
}
RESULTS = (
    "Left a message",
    "Interested, wants a quote",
    "Not interested right now",
    "Agreed to next steps",
    "Signed",
    "Rescheduled",
)
NOTE_TEXTS = (
    "Spoke about next quarter's budget.",
    "Sent the brochure by e-mail.",
    "Asked for a discount on volume orders.",
    "Prefers contact in the morning.",
    "Met at the trade show; interested in the premium plan.",
    "Referred by a current customer.",
    "Requested a call back next week.",
    "Invoice question resolved.",
)
SALES_ITEMS = (
    "Annual subscription",
    "Consulting package",
    "Hardware upgrade",
    "Support plan",
    "Training workshop",
    "Website redesign",
    "Data migration",
    "Premium licences",
)
OPEN_STATES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
PALETTE = ("3A7BD5", "2E9E5B", "E0A100", "C0392B", "8E44AD", "16A085")

# a 1x1 PNG and a minimal one-page PDF
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000 1f15c4890000000d49444154"
    "789c6360f8cfc0f01f0005fe02fea7d6a0730000000049454e44ae426082".replace(" ", "")
)
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def populate(db: Database, contacts: int, seed: int) -> None:
    """Fill an empty database with demo data for ``contacts`` contacts."""
    started = time.perf_counter()
    rng = random.Random(seed)
    new_id = _Ids(random.Random(seed * 7919 + 1))
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    users = [u.user_id for u in cat.USERS]
    demo = cat.DEMO_USER.user_id

    def owner() -> str:
        return demo if rng.random() < 0.5 else rng.choice(users)

    n_companies = max(10, contacts // 8)
    companies = []
    for _ in range(n_companies):
        a, b = rng.choice(COMPANY_A), rng.choice(COMPANY_B)
        suffix = rng.choice(COMPANY_SUFFIX)
        companies.append((f"{a} {b} {suffix}".strip(), f"{_slug(a + b)}.example.com"))

    contact_ids: list[str] = []
    # bulk load first, then build the indexes and the trigram index in one go each
    db.conn.executescript(
        "DROP TRIGGER IF EXISTS contacts_fts_insert; DROP INDEX IF EXISTS contacts_order;"
        " DROP INDEX IF EXISTS contact_values_rid;"
    )
    with db.transaction() as conn:
        rows: list[tuple[Any, ...]] = []
        value_rows: list[tuple[int, str, int]] = []
        for i in range(contacts):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            company, domain = rng.choice(companies)
            city, state = rng.choice(CITIES)
            created = today - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1439))
            data: dict[int, str] = {
                cat.C_FIRST: first,
                cat.C_LAST: last,
                cat.C_NAME: f"{first} {last}",
                cat.C_COMPANY: company,
                cat.C_TITLE: rng.choice(TITLES),
                cat.C_EMAIL: f"{_slug(first)}.{_slug(last)}{i % 97 or ''}@{domain}",
                cat.C_PHONE: f"+1 {rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}",
                cat.C_CITY: city,
                cat.C_STATE: state,
                cat.C_ZIP: f"{rng.randint(10000, 99999)}",
                cat.C_COUNTRY: "USA",
                cat.C_OWNER: owner(),
            }
            if rng.random() < 0.4:
                data[cat.C_MOBILE] = f"+1 {rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}"
            if rng.random() < 0.2:
                data[cat.C_EMAIL2] = f"{_slug(first)}{rng.randint(1, 99)}@mail.example.org"
            if rng.random() < 0.3:
                data[cat.C_BIRTHDAY] = format_datetime(
                    datetime(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
                )
            if rng.random() < 0.1:
                data[cat.C_DO_NOT_CALL] = "true"
            if rng.random() < 0.3:
                data[cat.C_REVENUE] = str(rng.randint(1, 500) * 10000)
            contact_id = new_id()
            contact_ids.append(contact_id)
            stamp = format_datetime(created)
            rows.append(
                (
                    i + 1,
                    contact_id,
                    encode_data(data),
                    contact_sort_key(data),
                    contact_search(data),
                    stamp,
                    stamp,
                )
            )
            value_rows.extend(contact_value_rows(i + 1, data))
        conn.executemany(
            "INSERT INTO contacts (rid, id, data, sort_key, search, created, modified)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        value_rows.sort()
        conn.executemany(
            "INSERT OR IGNORE INTO contact_values (field, value, rid) VALUES (?, ?, ?)",
            value_rows,
        )
        del rows, value_rows

        # groups and members
        n_groups = max(5, min(60, contacts // 100 + 5))
        group_ids: list[str] = []
        for g in range(n_groups):
            name = GROUP_NAMES[g % len(GROUP_NAMES)]
            if g >= len(GROUP_NAMES):
                name = f"{name} {rng.choice(CITIES)[0]} {g // len(GROUP_NAMES) + 1}"
            gdata = {
                cat.G_NAME: name,
                cat.G_DESCRIPTION: f"Contacts for {name.lower()}",
                cat.G_OWNER: owner(),
            }
            group_id = new_id()
            group_ids.append(group_id)
            conn.execute(
                "INSERT INTO groups (id, data, sort_key, search, created) VALUES (?, ?, ?, ?, ?)",
                (
                    group_id,
                    encode_data(gdata),
                    group_sort_key(gdata),
                    group_sort_key(gdata),
                    format_datetime(today - timedelta(days=rng.randint(30, 700))),
                ),
            )
            if contact_ids:
                members = rng.sample(contact_ids, min(len(contact_ids), rng.randint(3, 120)))
                conn.executemany(
                    "INSERT OR IGNORE INTO group_members (group_id, contact_id) VALUES (?, ?)",
                    [(group_id, m) for m in members],
                )

        # campaigns
        for name in CAMPAIGNS:
            campaign_id = new_id()
            conn.execute("INSERT INTO campaigns (id, name) VALUES (?, ?)", (campaign_id, name))
            if contact_ids:
                members = rng.sample(contact_ids, min(len(contact_ids), rng.randint(5, 300)))
                conn.executemany(
                    "INSERT OR IGNORE INTO campaign_members (campaign_id, contact_id)"
                    " VALUES (?, ?)",
                    [(campaign_id, m) for m in members],
                )

        # notes
        note_rows = []
        n_notes = contacts // 2 + (10 if contacts else 0)
        for _ in range(n_notes):
            created = today - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1439))
            note_rows.append(
                (
                    new_id(),
                    rng.choice(contact_ids),
                    "",
                    owner(),
                    rng.randint(1, 5),
                    rng.choice(NOTE_TEXTS),
                    format_datetime(created),
                )
            )
        for group_id in group_ids:
            for _ in range(2):
                created = today - timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
                note_rows.append(
                    (
                        new_id(),
                        "",
                        group_id,
                        owner(),
                        1,
                        "Group review: " + rng.choice(NOTE_TEXTS),
                        format_datetime(created),
                    )
                )
        conn.executemany(
            "INSERT INTO notes (id, contact_id, group_id, user_id, type, details, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            note_rows,
        )

        # activities over the past and the coming four weeks
        act_rows = []
        n_acts = min(max(contacts // 4, 60), 25_000) if contacts else 0
        for k in range(n_acts):
            atype = rng.choice(("call", "meeting", "todo"))
            day = today + timedelta(days=rng.randint(-28, 28))
            timeless = atype == "todo" and rng.random() < 0.4
            if timeless:
                start = end = day
            else:
                start = day + timedelta(hours=rng.randint(8, 17), minutes=rng.choice((0, 15, 30)))
                end = start + timedelta(minutes=rng.choice((15, 30, 60, 90)))
            done = start < today and rng.random() < 0.7
            on_group = rng.random() < 0.1 and group_ids
            contact = "" if on_group else rng.choice(contact_ids)
            act_rows.append(
                (
                    new_id(),
                    contact,
                    rng.choice(group_ids) if on_group else "",
                    demo if rng.random() < 0.6 else rng.choice(users),
                    rng.choice(REGARDING[atype]),
                    "Prepared by the account team." if k % 3 == 0 else "",
                    rng.choice(PALETTE),
                    format_datetime(start),
                    format_datetime(end),
                    atype,
                    1 if timeless else 0,
                    1 if done else 0,
                    rng.choice(RESULTS) if done else "",
                )
            )
        conn.executemany(
            "INSERT INTO activities (id, contact_id, group_id, user_id, regarding, details,"
            " color, start, end, type, timeless, completed, result)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            act_rows,
        )

        # sales in every status
        sales_rows = []
        n_sales = min(max(contacts // 10, 20), 20_000) if contacts else 0
        for k in range(n_sales):
            status = (0, 1, 2)[k % 3] if k < 3 else rng.choices((0, 1, 2), (6, 3, 2))[0]
            state = (rng.choice(OPEN_STATES), "Closed Won", "Closed Lost")[status]
            contact = rng.choice(contact_ids)
            group = rng.choice(group_ids) if rng.random() < 0.1 else ""
            sdata = {
                cat.S_CONTACT: contact,
                cat.S_GROUP: group,
                cat.S_STATUS: str(status),
                cat.S_STATE: state,
                cat.S_DETAILS: rng.choice(SALES_ITEMS),
                cat.S_AMOUNT: f"{rng.randint(5, 500) * 100}.00",
                cat.S_CLOSE_DATE: format_datetime(today + timedelta(days=rng.randint(-120, 120))),
                cat.S_PROBABILITY: str(
                    (rng.randint(1, 9) * 10) if status == 0 else (100 if status == 1 else 0)
                ),
                cat.S_OWNER: owner(),
            }
            sales_rows.append(
                (
                    new_id(),
                    contact,
                    group,
                    encode_data(sdata),
                    sales_search(sdata),
                    format_datetime(today - timedelta(days=rng.randint(0, 300))),
                )
            )
        conn.executemany(
            "INSERT INTO sales (id, contact_id, group_id, data, search, created)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            sales_rows,
        )

        # a few small documents
        docs = (
            ("welcome-letter.txt", b"Dear customer,\nwelcome aboard!\n"),
            ("price-list.csv", b"item,price\nSupport plan,1200.00\nTraining,450.00\n"),
            ("logo.png", _PNG),
            ("contract-draft.pdf", _PDF),
        )
        for k, (name, content) in enumerate(docs):
            if not contact_ids:
                break
            conn.execute(
                "INSERT INTO documents (id, contact_id, file_name, size, created, content)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new_id(),
                    contact_ids[k % min(2, len(contact_ids))],
                    name,
                    len(content),
                    format_datetime(today - timedelta(days=k + 1)),
                    content,
                ),
            )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', ?)",
            (f"contacts={contacts} seed={seed}",),
        )
    with db.lock:
        db.conn.executescript(SCHEMA)
        db.conn.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild')")
        db.conn.execute("ANALYZE")
    log.info(
        "demo data: %d contacts, %d groups, %d activities, %d sales in %.1f s",
        contacts,
        n_groups,
        n_acts,
        n_sales,
        time.perf_counter() - started,
    )
