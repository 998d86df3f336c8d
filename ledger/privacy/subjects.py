"""Data subjects (docs/privacy.md, "Data subjects"): whom an event's body concerns.

The subject is the event's actor, by e-mail address when it has one, else by phone
number, normalised; an event without either belongs to a subject of its own envelope.
The database never holds the address itself, only its keyed id: ``HMAC-SHA256`` under the
deployment's pseudonym key (``ledger.pseudonyms``), so that an erasure request naming an
address finds the subject's data key, and a hold or an erasure can name the subject in
the log without naming the person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.errors import InvalidInput
from ledger.pseudonyms import PseudonymKey

DOMAIN = b"ledger-subject/v1\x00"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\Z")
PHONE_CHARS = re.compile(r"[\s().\-/]")
PHONE = re.compile(r"\+?\d{3,20}\Z")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Digits, with ``+`` for an international number (``00`` is read as ``+``);
    spaces, dots, dashes, slashes and parentheses dropped."""
    text = PHONE_CHARS.sub("", value.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    return text


@dataclass(frozen=True)
class Subject:
    """A data subject: ``kind`` is email, phone or envelope; ``value`` normalised."""

    kind: str
    value: str

    @classmethod
    def parse(cls, given: str) -> Subject:
        """An erasure's, hold's or export's ``--subject``: an e-mail address or a phone number."""
        text = given.strip()
        if EMAIL.match(text):
            return cls("email", normalise_email(text))
        phone = normalise_phone(text)
        if PHONE.match(phone):
            return cls("phone", phone)
        raise InvalidInput("a subject is an e-mail address or a phone number", field="subject")

    @classmethod
    def envelope(cls, envelope_id: str) -> Subject:
        return cls("envelope", envelope_id)


LEDGER_TYPES = "x-ledger."  # the ledger's own events (ledger.privacy.log_events)
LEDGER_RECORDS = Subject("ledger", "records")


def subject_of(event: Mapping[str, Any]) -> Subject:
    """Whose personal data the event's body is: its actor's e-mail, else phone, else its
    envelope's own subject. The ledger's own events (erasures, holds) hold none: they
    have a subject of their own, which no erasure destroys."""
    if str(event["type"]).startswith(LEDGER_TYPES):
        return LEDGER_RECORDS
    actor = event.get("actor")
    if isinstance(actor, dict):
        email = actor.get("email")
        if isinstance(email, str) and email.strip():
            return Subject("email", normalise_email(email))
        phone = actor.get("phone")
        if isinstance(phone, str) and phone.strip():
            return Subject("phone", normalise_phone(phone))
    return Subject.envelope(str(event["envelope_id"]))


def subject_id(key: PseudonymKey, subject: Subject) -> bytes:
    """The subject's keyed id (32 bytes): what the tables and the log hold."""
    return key.keyed(DOMAIN + subject.kind.encode() + b"\x00" + subject.value.encode("utf-8"))


class SubjectIds:
    """The keyed subject id of each event, with the ids of recent subjects cached (an
    HMAC per new subject, a dict lookup for the others: the append path calls this for
    every event). Bounded: emptied when it holds ``limit`` subjects."""

    def __init__(self, key: PseudonymKey, limit: int = 10_000) -> None:
        self.key, self.limit = key, limit
        self._ids: dict[tuple[str, str], bytes] = {}

    def __call__(self, event: Mapping[str, Any]) -> bytes:
        actor = event.get("actor")
        actor = actor if isinstance(actor, dict) else {}
        email, phone = actor.get("email"), actor.get("phone")
        raw: tuple[str, str]  # what subject_of decides by, as the event has it
        if str(event["type"]).startswith(LEDGER_TYPES):
            raw = ("ledger", "")
        elif isinstance(email, str) and email.strip():
            raw = ("email", email)
        elif isinstance(phone, str) and phone.strip():
            raw = ("phone", phone)
        else:
            raw = ("envelope", str(event["envelope_id"]))
        found = self._ids.get(raw)
        if found is None:
            if len(self._ids) >= self.limit:
                self._ids.clear()
            found = self._ids[raw] = subject_id(self.key, subject_of(event))
        return found
