"""models layer of SalesNexus Desktop."""
