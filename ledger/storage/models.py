"""Tables (docs/operator-guide.md, "Database"): the log head, entries, event bodies
(separate, so erasure deletes them alone), the delivery bodies as received, tree nodes,
checkpoints, tenants, API keys and the log's signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Seq = BigInteger().with_variant(Integer(), "sqlite")  # SQLite INTEGER is already 64-bit


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Log(Base):
    """The log head: one row per log, locked by every append (ARCHITECTURE "Scale")."""

    __tablename__ = "logs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    hash_alg: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Seq)
    chain: Mapped[bytes] = mapped_column(LargeBinary)
    compact: Mapped[bytes] = mapped_column(LargeBinary)  # compact-range hashes, concatenated
    checkpoint: Mapped[str] = mapped_column(Text)  # the newest signed note
    # Bumped by every erasure and tenant-key rotation: processes then drop their cache of
    # which data key is a subject's live one (ledger.privacy.keys).
    key_epoch: Mapped[int] = mapped_column(Integer, default=0)


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Entry(Base):
    """One leaf of the tree; ``leaf`` is the exact bytes that were hashed."""

    __tablename__ = "entries"
    # No foreign keys: only the appender writes entries, with the log and tenant of their
    # own rows; the checks cost most of a batch's insert time (migration 0004).
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(200))
    envelope_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[str] = mapped_column(String(32))
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    chain: Mapped[bytes] = mapped_column(LargeBinary)
    # For analytics (ledger.analytics, migration 0008): the leaf's occurred_at in UTC
    # microseconds since 1970 and its source.channel (the platform, or "api").
    occurred_us: Mapped[int | None] = mapped_column(BigInteger)
    channel: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (
        UniqueConstraint("log_id", "tenant_id", "event_id", name="uq_entries_event"),
        # Covering for an envelope's facts (type, time); still the envelope lookup.
        Index("ix_entries_envelope", "tenant_id", "envelope_id", "type", "occurred_us", "channel"),
        # Covering for a tenant's events in a time range (the days a period cuts).
        Index("ix_entries_tenant_time", "tenant_id", "occurred_us", "type", "channel"),
    )


class Export(Base):
    """An evidence export (``ledger.exports``): envelopes chosen, progress, the ZIP."""

    __tablename__ = "exports"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    selection: Mapped[str] = mapped_column(Text)  # JSON: {"envelopes": [...]} or {"from", "to"}
    envelopes: Mapped[str] = mapped_column(Text)  # JSON list of the envelope ids, in order
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed, erased
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_exports_tenant", "tenant_id", "created_at"),)


class AnalyticsEnvelope(Base):
    """An envelope's facts for analytics (``ledger.rollup``): the first time of each step
    (UTC microseconds), the channel of its first ``envelope.sent``, and whether it was
    declined, expired or voided; kept up to date from ``entries`` in seq order."""

    __tablename__ = "analytics_envelopes"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_us: Mapped[int | None] = mapped_column(BigInteger)
    channel: Mapped[str | None] = mapped_column(String(32))
    viewed_us: Mapped[int | None] = mapped_column(BigInteger)
    signed_us: Mapped[int | None] = mapped_column(BigInteger)
    completed_us: Mapped[int | None] = mapped_column(BigInteger)
    declined: Mapped[int] = mapped_column(SmallInteger)
    expired: Mapped[int] = mapped_column(SmallInteger)
    voided: Mapped[int] = mapped_column(SmallInteger)
    __table_args__ = (
        # Covering for a cohort: the envelopes first sent in a period, with every fact.
        Index(
            "ix_analytics_envelopes_sent",
            "tenant_id",
            "sent_us",
            "channel",
            "viewed_us",
            "signed_us",
            "completed_us",
            "declined",
            "expired",
            "voided",
        ),
    )


class AnalyticsDay(Base):
    """A tenant's events of one UTC day (days since 1970) and channel (``ledger.rollup``)."""

    __tablename__ = "analytics_days"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    sent: Mapped[int] = mapped_column(BigInteger)
    completed: Mapped[int] = mapped_column(BigInteger)


class AnalyticsState(Base):
    """How far ``ledger.rollup`` has read a log: entries with seq below ``next_seq``."""

    __tablename__ = "analytics_state"
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    next_seq: Mapped[int] = mapped_column(Seq)


class Body(Base):
    """The event as accepted and its salt, sealed (``ledger.privacy.crypto``: AES-256-GCM
    of ``salt || event`` under the data key ``key_id``; with ``key_id`` NULL, written with
    encryption off, ``sealed`` is that plaintext). Erasure deletes this row."""

    __tablename__ = "bodies"
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    key_id: Mapped[int | None] = mapped_column(BigInteger)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    content_sha256: Mapped[bytes] = mapped_column(LargeBinary)  # idempotency comparison


class DeliveryBody(Base):
    """A request body exactly as received (a platform's webhook delivery, or an API
    request), kept so that the original message can be produced: the leaf's
    ``source.delivery_sha256`` names it. Written in the transaction of the events it
    produced; the same bytes again store nothing. Holds personal data (docs/api.md)."""

    __tablename__ = "delivery_bodies"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))  # the leaf's source.channel
    content_type: Mapped[str | None] = mapped_column(String(200))  # as the sender declared it
    received_at: Mapped[str] = mapped_column(String(32))  # of the first entry it produced
    key_id: Mapped[int | None] = mapped_column(BigInteger)  # its first event's subject's key
    body: Mapped[bytes] = mapped_column(LargeBinary)  # sealed unless key_id is NULL


class DataKey(Base):
    """A data subject's key (``ledger.privacy.keys``), wrapped by version ``key_version``
    of the tenant key; erasure sets ``wrapped`` NULL and ``destroyed_at``. ``subject_id``
    is the subject's keyed id, never an address."""

    __tablename__ = "data_keys"
    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    destroyed_at: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ix_data_keys_subject", "tenant_id", "subject_id"),)


class TenantKey(Base):
    """The current version of a tenant's key (held by the key provider, not here)."""

    __tablename__ = "tenant_keys"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    rotated_at: Mapped[str] = mapped_column(String(32))


class Hold(Base):
    """A legal hold on an envelope or a subject (``ledger.privacy.holds``)."""

    __tablename__ = "holds"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(16))  # envelope | subject
    target: Mapped[str] = mapped_column(String(200))  # envelope id, or subject id (hex)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    released_at: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ix_holds_target", "tenant_id", "scope", "target"),)


class Retention(Base):
    """A tenant's retention: no erasure before ``min_days`` after an envelope's newest
    entry, erased automatically ``max_days`` after it (``ledger.privacy.retention``)."""

    __tablename__ = "retention"
    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    min_days: Mapped[int | None] = mapped_column(Integer)
    max_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[str] = mapped_column(String(32))


class Node(Base):
    """Perfect-subtree hashes above the leaves (level >= 1); level 0 is ``entries.leaf_hash``."""

    __tablename__ = "nodes"
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class Checkpoint(Base):
    """Every checkpoint the log signed, by size: receipts refer to them for ever."""

    __tablename__ = "checkpoints"
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """API keys are random and stored only as SHA-256 (they carry 256 bits of entropy)."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SigningKey(Base):
    """The log's Ed25519 keys; the private halves live in files under ``keys/``."""

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("logs.id"))
    vkey: Mapped[str] = mapped_column(String(200), unique=True)
    file: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retire_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Anchor(Base):
    """A validated RFC 3161 token over a checkpoint's signed text (docs/design/EVIDENCE-FORMAT.md
    §5)."""

    __tablename__ = "anchors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("logs.id"))
    size: Mapped[int] = mapped_column(Seq)
    tsa: Mapped[str] = mapped_column(String(500))
    token: Mapped[bytes] = mapped_column(LargeBinary)
    gen_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        UniqueConstraint("log_id", "size", "tsa", name="uq_anchors_size_tsa"),
        Index("ix_anchors_log_size", "log_id", "size"),
    )


class AnchorAttempt(Base):
    """Every request to a TSA, valid or not, with the reason it failed."""

    __tablename__ = "anchor_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("logs.id"))
    size: Mapped[int] = mapped_column(Seq)
    tsa: Mapped[str] = mapped_column(String(500))
    ok: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Lease(Base):
    """A database lease: one anchoring run at a time across workers and hosts."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Hook(Base):
    """An inbound webhook endpoint ``/v1/hooks/<platform>/<id>`` of one tenant."""

    __tablename__ = "hooks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    platform: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[str | None] = mapped_column(String(200))
    window_seconds: Mapped[int] = mapped_column(Integer)
    networks: Mapped[str | None] = mapped_column(Text)  # allowed source CIDRs, space-separated
    query: Mapped[str | None] = mapped_column(String(2000))  # e签宝: the registered query string
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HookSecret(Base):
    """A hook's shared secrets; during rotation the old one is accepted until ``expires_at``.

    Kept in clear: HMAC verification needs the secret itself (protect the database).
    """

    __tablename__ = "hook_secrets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hook_id: Mapped[str] = mapped_column(ForeignKey("hooks.id"))
    secret: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Subscription(Base):
    """An outbound webhook subscription of a tenant (OA/ERP systems, platforms)."""

    __tablename__ = "subscriptions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(500))  # comma-separated event types
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """An outbound delivery, queued in the database so that it survives a restart."""

    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending, delivered, dead
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)


class Certificate(Base):
    """One edition (language, time zone) of an issued certificate of evidence, kept as
    it was issued: a download of the same evidence returns ``pdf`` byte for byte. The
    id names the evidence (``reports.identity``): every edition of it has the same id
    and the same attached bundle (``bundle``); new evidence of the envelope gets a new
    id, and the older one's editions name it in ``superseded_by``."""

    __tablename__ = "certificates"
    certificate_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64), primary_key=True)  # "": UTC only
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    envelope_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # the bundle's: anchored or pending
    checkpoint_size: Mapped[int] = mapped_column(Seq)
    checkpoint_root: Mapped[str] = mapped_column(String(128))  # hex
    anchors: Mapped[str] = mapped_column(Text)  # JSON [{"tsa", "gen_time", "token_sha256"}]
    evidence_sha256: Mapped[str] = mapped_column(String(64))  # what the id names
    bundle_sha256: Mapped[str] = mapped_column(String(64))  # the attached file's
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pades_level: Mapped[str] = mapped_column(String(16))
    level_note: Mapped[str | None] = mapped_column(Text)  # why not the highest level
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    supersedes: Mapped[str | None] = mapped_column(String(32))
    superseded_by: Mapped[str | None] = mapped_column(String(32))
    bundle: Mapped[bytes] = mapped_column(LargeBinary)  # the attached evidence-bundle.json
    # The data key that seals ``pdf`` and ``bundle`` (ledger.privacy.registry_keys); NULL:
    # in clear (written with encryption off, or before migration 0009_privacy).
    key_id: Mapped[int | None] = mapped_column(BigInteger)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    # When an erasure deleted ``pdf`` and ``bundle`` (ledger.privacy.derived); NULL: kept.
    content_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        Index("ix_certificates_envelope", "tenant_id", "envelope_id"),
        Index("ix_certificates_pdf_sha256", "pdf_sha256"),
    )
