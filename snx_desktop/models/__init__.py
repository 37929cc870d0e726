"""Qt item models of SalesNexus Desktop: paged lists, record details, pending changes.

Models hold plain data (records are mappings) and never widgets; each passes pytest-qt's
``qtmodeltester``.
"""
