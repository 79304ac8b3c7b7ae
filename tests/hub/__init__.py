"""The hub's bibliography: stubs, constructed replay facts, and the rebuild script."""
