"""Names the contract and the vendor reference fix, written down here independently of
snx_desktop.sandbox so that the tests hold the sandbox (and the client) to them."""

from __future__ import annotations

# the contract's error codes (api-contract.md)
ERROR_CODES = frozenset(
    {
        "UNKNOWN_FUNCTION",
        "MISSING_PARAMETER",
        "INVALID_PARAMETER",
        "INVALID_LOGIN",
        "INVALID_TOKEN",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "PAYLOAD_TOO_LARGE",
        "INVALID_REQUEST",
    }
)

# the functions of the vendor reference, in its order
VENDOR_FUNCTIONS = (
    "greet",
    "echo",
    "get-login-token",
    "get-all-fields",
    "get-user-layouts",
    "get-users",
    "create-contact",
    "get-contacts",
    "get-contact-info",
    "get-notes-for-contact",
    "get-sales-for-contact",
    "get-docs-for-contact",
    "add-doc-to-contact",
    "update-contact",
    "delete-contacts",
    "import-contacts",
    "get-groups",
    "get-group-info",
    "get-activities-for-group",
    "get-sales-for-group",
    "get-notes-for-group",
    "update-group",
    "delete-groups",
    "create-note-for-group",
    "create-activity-for-group",
    "get-contacts-for-group",
    "add-contacts-to-group",
    "get-activities",
    "create-activity",
    "update-activity",
    "complete-activity",
    "get-activity-info",
    "get-campaigns",
    "add-to-campaign",
    "get-sales",
    "create-sales-opp",
    "create-note",
)
