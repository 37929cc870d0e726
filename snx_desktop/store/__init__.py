"""store layer of SalesNexus Desktop."""
