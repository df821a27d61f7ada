"""Where papers come from: one module per service, each a pure parse_*() and a fetch_*()."""
