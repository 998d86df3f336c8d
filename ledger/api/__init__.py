"""HTTP API (EVIDENCE-FORMAT §7): one blueprint per area; errors become JSON in one place."""
