"""The HTML web UI: one module per area."""
