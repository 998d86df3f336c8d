"""Evidence Ledger service (see docs/architecture.md)."""
