"""ui layer of SalesNexus Desktop."""
