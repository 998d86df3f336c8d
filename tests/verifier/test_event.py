"""Events as platforms send them (verifier.event, docs/design/EVIDENCE-FORMAT.md §1): what the
schema
accepts unchanged, and for what it refuses, the JSON field at fault."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.values import EVENT
from verifier.errors import MalformedError
from verifier.event import (
    DOCUMENTS_MAX,
    ID_MAX,
    TEXT_MAX,
    VOCABULARY,
    EventError,
    check_time,
    check_type,
    validate_event,
)


def changed(path: str, value: Any) -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    *parents, last = path.split(".")
    target: Any = event
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return event


def test_a_valid_event_is_returned_unchanged() -> None:
    event = copy.deepcopy(EVENT)
    assert validate_event(event) is event
    assert event == EVENT
    assert validate_event({k: EVENT[k] for k in ("event_id", "type", "occurred_at", "envelope_id")})


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        ("event_id", KeyError, "event_id", "missing_field"),
        ("envelope_id", KeyError, "envelope_id", "missing_field"),
        ("extra", 1, "extra", "unknown_field"),
        ("event_id", "", "event_id", "invalid_field"),
        ("event_id", "x" * (ID_MAX + 1), "event_id", "invalid_field"),
        ("event_id", "a\x00b", "event_id", "invalid_field"),
        ("envelope_id", "a\nb", "envelope_id", "invalid_field"),
        ("event_id", 7, "event_id", "invalid_field"),
        ("type", "recipient.danced", "type", "invalid_field"),
        ("type", "X-vendor.thing", "type", "invalid_field"),
        ("occurred_at", "2026-11-22T17:03:04", "occurred_at", "invalid_field"),
        ("occurred_at", "2026-02-30T17:03:04Z", "occurred_at", "invalid_field"),
        ("occurred_at", "2026-11-22T17:03:04+19:00", "occurred_at", "invalid_field"),
        ("occurred_at", "22/11/2026", "occurred_at", "invalid_field"),
        ("actor", "someone", "actor", "invalid_field"),
        ("actor.nickname", "x", "actor.nickname", "unknown_field"),
        ("actor.name", "x" * (TEXT_MAX + 1), "actor.name", "invalid_field"),
        ("actor.email", 5, "actor.email", "invalid_field"),
        ("documents", {}, "documents", "invalid_field"),
        ("documents", [{}] * (DOCUMENTS_MAX + 1), "documents", "invalid_field"),
        ("documents.0", "contract.pdf", "documents[0]", "invalid_field"),
        ("documents.0.sha256", KeyError, "documents[0].sha256", "missing_field"),
        ("documents.0.sha256", "AB" * 32, "documents[0].sha256", "invalid_field"),
        ("documents.0.sha256", "ab" * 31, "documents[0].sha256", "invalid_field"),
        ("documents.0.size", -1, "documents[0].size", "invalid_field"),
        ("documents.0.size", 1.5, "documents[0].size", "invalid_field"),
        ("documents.0.size", True, "documents[0].size", "invalid_field"),
        ("documents.0.size", 2**53, "documents[0].size", "invalid_field"),
        ("documents.0.name", "", "documents[0].name", "invalid_field"),
        ("documents.0.pages", 3, "documents[0].pages", "unknown_field"),
        ("data", [1], "data", "invalid_field"),
    ],
)
def test_what_the_schema_refuses_names_the_field(
    path: str, value: Any, field: str, code: str
) -> None:
    with pytest.raises(EventError) as raised:
        validate_event(changed(path, value))
    assert raised.value.field == field
    assert raised.value.code == code
    assert isinstance(raised.value, MalformedError)  # callers catch both alike


@pytest.mark.parametrize("value", [None, [], "event", 5])
def test_an_event_is_an_object(value: Any) -> None:
    with pytest.raises(EventError) as raised:
        validate_event(value)
    assert raised.value.field == "$"


def test_sizes_written_as_whole_floats_are_sizes() -> None:
    """I-JSON numbers are binary64: 1234.0 is 1234, as RFC 8785 writes both."""
    assert validate_event(changed("documents.0.size", 1234.0))


@pytest.mark.parametrize("kind", [*sorted(VOCABULARY), "x-acme.reviewed", "x-a1.b_c-d.e"])
def test_the_vocabulary_and_extension_types(kind: str) -> None:
    assert check_type(kind) == kind


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(timezones=st.timezones()).filter(
        lambda d: d.utcoffset() is not None and d.utcoffset().seconds % 60 == 0  # type: ignore[union-attr]
    )
)
def test_every_rfc3339_time_with_an_offset_is_accepted(when: Any) -> None:
    text = when.isoformat(timespec="milliseconds")
    assert check_time(text, "occurred_at") == text
