"""Field ids by name, as the wire writes them (strings), taken from the sandbox's catalogue.

Tests put these in field-data maps and read records with them, so that ``record[C_NAME]``
says which field it reads where ``record["48"]`` did not.
"""

from __future__ import annotations

from snx_desktop.sandbox import catalogue as _catalogue

# Contact
C_RECORD_ID = str(_catalogue.C_RECORD_ID)
C_PHONE = str(_catalogue.C_PHONE)
C_MOBILE = str(_catalogue.C_MOBILE)
C_COMPANY = str(_catalogue.C_COMPANY)
C_NAME = str(_catalogue.C_NAME)
C_FIRST = str(_catalogue.C_FIRST)
C_LAST = str(_catalogue.C_LAST)
C_TITLE = str(_catalogue.C_TITLE)
C_CITY = str(_catalogue.C_CITY)
C_STATE = str(_catalogue.C_STATE)
C_ZIP = str(_catalogue.C_ZIP)
C_COUNTRY = str(_catalogue.C_COUNTRY)
C_OWNER = str(_catalogue.C_OWNER)
C_EMAIL = str(_catalogue.C_EMAIL)
C_CREATED = str(_catalogue.C_CREATED)
C_MODIFIED = str(_catalogue.C_MODIFIED)
C_BIRTHDAY = str(_catalogue.C_BIRTHDAY)
C_DO_NOT_CALL = str(_catalogue.C_DO_NOT_CALL)
C_REVENUE = str(_catalogue.C_REVENUE)
C_EMAIL2 = str(_catalogue.C_EMAIL2)
# Group
G_RECORD_ID = str(_catalogue.G_RECORD_ID)
G_NAME = str(_catalogue.G_NAME)
G_DESCRIPTION = str(_catalogue.G_DESCRIPTION)
G_OWNER = str(_catalogue.G_OWNER)
G_CREATED = str(_catalogue.G_CREATED)
# Sales
S_CONTACT = str(_catalogue.S_CONTACT)
S_GROUP = str(_catalogue.S_GROUP)
S_STATUS = str(_catalogue.S_STATUS)
S_AMOUNT = str(_catalogue.S_AMOUNT)
S_CLOSE_DATE = str(_catalogue.S_CLOSE_DATE)
S_PROBABILITY = str(_catalogue.S_PROBABILITY)
S_OWNER = str(_catalogue.S_OWNER)
S_DETAILS = str(_catalogue.S_DETAILS)
S_STATE = str(_catalogue.S_STATE)
