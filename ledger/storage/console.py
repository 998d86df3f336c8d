"""The console's tables (docs/console.md): its users and their sessions, the envelope
search index it keeps beside the log, and the record of ``ledger fsck`` runs.

The search index (``console_envelopes``, ``console_terms``) is derived from ``entries``
and ``bodies`` and can be rebuilt from them at any time (``ledger console reindex``);
``console_index`` says up to which seq it has read the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq


class ConsoleUser(Base):
    """A person who signs in to the console; the password is stored as an argon2id hash."""

    __tablename__ = "console_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower case
    role: Mapped[str] = mapped_column(String(16))  # read, audit, admin
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer)  # failed sign-ins in the current window
    failure_window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A signed-in browser: the cookie holds a random id, the table only its SHA-256."""

    __tablename__ = "console_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    tz: Mapped[str] = mapped_column(String(64))  # the browser's IANA zone, or UTC
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_console_sessions_user", "user_id"),)


class ConsoleEnvelope(Base):
    """One envelope of one tenant as the search shows it, from the leaves' clear fields."""

    __tablename__ = "console_envelopes"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))  # the first entry's source.channel
    status: Mapped[str] = mapped_column(String(32))  # see ledger.console.search.status_after
    first_at: Mapped[str] = mapped_column(String(32))  # earliest occurred_at, UTC stamp
    last_at: Mapped[str] = mapped_column(String(32))  # latest occurred_at, UTC stamp
    last_received: Mapped[str] = mapped_column(String(32))
    events: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Seq)
    __table_args__ = (
        Index("ix_console_envelopes_first_at", "tenant_id", "first_at"),
        Index("ix_console_envelopes_all_first_at", "first_at"),
        Index("ix_console_envelopes_envelope", "envelope_id"),
    )


class ConsoleTerm(Base):
    """What a search may look an envelope up by, from its event bodies: a signer's e-mail
    address (``email``), each word of a signer's name (``name``), a document's SHA-256
    (``sha256``), each as a keyed hash (``ledger.console.search.term_hash``), never the
    text. An erasure re-derives its envelopes' terms (``ledger.privacy.derived``)."""

    __tablename__ = "console_terms"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(400), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    __table_args__ = (Index("ix_console_terms_kind_value", "kind", "value"),)


class ConsoleIndex(Base):
    """How far the search index has read the log: every seq below ``next_seq``."""

    __tablename__ = "console_index"
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_seq: Mapped[int] = mapped_column(Seq)


class FsckRun(Base):
    """What ``ledger fsck`` found, each time it ran (the console's Log page shows the last)."""

    __tablename__ = "fsck_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    size: Mapped[int] = mapped_column(Seq)
    clean: Mapped[bool] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
