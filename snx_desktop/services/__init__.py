"""services layer of SalesNexus Desktop."""
