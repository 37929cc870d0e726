"""api layer of SalesNexus Desktop."""
