"""Shared constants and record builders for the store tests."""

from __future__ import annotations

from support.fields import C_COMPANY, C_EMAIL, C_EMAIL2, C_FIRST, C_LAST, C_NAME, C_PHONE, G_NAME

BASE_URL = "https://crm.example.test/api"
EMAIL = "rep@example.test"

CONTACT_ROLES = {
    "name": [C_NAME],
    "first-name": [C_FIRST],
    "last-name": [C_LAST],
    "company": [C_COMPANY],
    "email": [C_EMAIL, C_EMAIL2],
    "phone": [C_PHONE],
}
GROUP_ROLES = {"name": [G_NAME]}


def contact(name: str, company: str = "", email: str = "", phone: str = "") -> dict[str, str]:
    """A contact record as the API returns it (field id -> value)."""
    first, _, last = name.partition(" ")
    return {
        C_NAME: name,
        C_FIRST: first,
        C_LAST: last,
        C_COMPANY: company,
        C_EMAIL: email,
        C_PHONE: phone,
    }
