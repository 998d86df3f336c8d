"""Receipts are written as JSON text directly (``receipts_json``); the bytes are exactly
those ``jsonify`` sent before for ``Receipt.to_json()``."""

from __future__ import annotations

import json

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.receipts import Receipt, receipts_json

HASH = st.binary(min_size=32, max_size=32)
TEXT = st.text(max_size=40)  # control characters, quotes, non-ASCII, surrogate pairs
RECEIPT = st.builds(
    Receipt,
    seq=st.integers(0, 2**63 - 1),
    leaf=st.binary(max_size=300),
    leaf_hash=HASH,
    chain=HASH,
    received_at=st.sampled_from(["2026-11-22T17:03:04.123456Z"]) | TEXT,
    checkpoint=st.sampled_from(["origin \u00e9\n5\nAAAA\n\n\u2014 origin abc=\n"]) | TEXT,
    inclusion=st.lists(HASH, max_size=40),
    created=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(RECEIPT, min_size=1, max_size=6))
def test_receipt_json_is_what_jsonify_sent(receipts: list[Receipt]) -> None:
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # as create_app sets it
    with app.app_context():
        texts = receipts_json(receipts)
        for receipt, text in zip(receipts, texts, strict=True):
            assert app.json.response(receipt.to_json()).get_data(as_text=True) == text + "\n"
        batch = app.json.response({"receipts": [r.to_json() for r in receipts]})
        assert batch.get_data(as_text=True) == '{"receipts":[' + ",".join(texts) + "]}\n"
    assert [json.loads(t) for t in texts] == [r.to_json() for r in receipts]
