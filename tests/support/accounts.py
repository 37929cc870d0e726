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
