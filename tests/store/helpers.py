"""Shared constants and record builders for the store tests."""

from __future__ import annotations

BASE_URL = "https://crm.example.test/api"
EMAIL = "rep@example.test"

CONTACT_ROLES = {
    "name": ["48"],
    "first-name": ["78"],
    "last-name": ["79"],
    "company": ["47"],
    "email": ["133", "200"],
    "phone": ["35"],
}
GROUP_ROLES = {"name": ["300"]}


def contact(name: str, company: str = "", email: str = "", phone: str = "") -> dict[str, str]:
    """A contact record as the API returns it (field id -> value)."""
    first, _, last = name.partition(" ")
    return {"48": name, "78": first, "79": last, "47": company, "133": email, "35": phone}
