"""The sandbox's demo users, as tests sign in with them.

Written out here rather than read from the sandbox's catalogue, so that a test of the
sandbox checks its users against values of its own.
"""

from __future__ import annotations

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"  # an "admin"

ALEX_EMAIL = "alex@example.com"
ALEX_PASSWORD = "alex"  # a "user"

SAM_EMAIL = "sam@example.com"
SAM_PASSWORD = "sam"  # a "user"

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin"  # an "admin"

# A user the secrets tests create, with a password that occurs nowhere else: any copy of it
# found in a file or a log is a leak.
AUDIT_EMAIL = "audit@example.com"
AUDIT_PASSWORD = "Pw-Audit-7f3K9qZ!x~2"
