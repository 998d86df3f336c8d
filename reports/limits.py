"""How much of each value, and of each list, a certificate shows on its pages.

The attached evidence bundle holds everything; the pages show each value a platform sent
up to its limit here, followed by "… (N more characters in the attached bundle)", and
each list up to its limit, followed by how many more the bundle holds. The limits keep
any row of a table shorter than a page (reportlab cannot split a row) and the rendering
of any envelope within seconds. docs/certificate.md, "Limits on the page", lists them;
a test checks that table against this module.
"""

from __future__ import annotations

# Characters of one value (the event schema allows 2,000 for actor fields and document
# names, 200 for ids, and any length for values in ``data``).
FIELDS: dict[str, int] = {
    "name": 120,  # actor.name, a recipient's name
    "email": 120,
    "phone": 40,
    "role": 60,
    "auth_method": 80,
    "ip": 64,
    "user_agent": 300,
    "title": 300,  # data.title and the other title fields
    "reason": 1000,  # data.*reason
    "document_name": 200,  # documents[].name, data.document_names[]
    "signature_type": 80,
    "status": 60,  # data.recipients[].status
    "id": 200,  # envelope_id, event_id: the schema's maximum, so never cut
    "tenant": 200,
    "detail": 600,  # a verifier's reason for one check
    "field": 80,  # the platform field named by data.occurred_at_source, a data key
    "note": 8000,  # a signed note (ours have about 300)
}

# Items of one list.
LISTS: dict[str, int] = {
    "events": 200,  # events listed in full; a longer envelope lists:
    "events_head": 100,  # its first events,
    "events_tail": 100,  # its last events,
    "events_findings": 100,  # and up to this many more with a time finding or failed check
    "parties": 200,  # section 2
    "summary_parties": 12,  # the first page
    "signers": 200,
    "recipients": 200,
    "documents": 200,
    "document_names": 20,  # per event
    "consents": 100,
    "reasons": 100,
    "titles": 10,  # other titles reported
}

MAX_CELL_LINES = 36  # lines of one table cell: with its notes row, less than a page
