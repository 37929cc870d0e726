"""Qt item models of SalesNexus Desktop: paged lists, record details, pending changes.

Models hold plain data (records are mappings) and never widgets; each passes pytest-qt's
``qtmodeltester``.
"""

from snx_desktop.models.qtfixes import fix_binding_refcounts

fix_binding_refcounts()
