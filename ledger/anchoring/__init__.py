"""RFC 3161 anchoring of checkpoints (docs/design/EVIDENCE-FORMAT.md §5): time-stamping authorities,
token validation, the anchoring run with its database lease (scheduled by
``ledger.workers``)."""
