"""The typed call-v1 calls, grouped by record kind; :class:`~..client.SalesNexusClient`
combines them."""
