"""Who issues a certificate and how it is signed: the values the certificate's sections
read (``reports.certificate``, ``reports.composer``) and ``reports.issuing`` fills in."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509


@dataclass(frozen=True)
class IssuerInfo:
    """Who issues the certificate (settings ``LEDGER_ISSUER_*``) and with which certificate."""

    name: str
    address: str
    contact: str
    person: str
    person_title: str
    certificate: x509.Certificate  # the signing certificate
    development: bool  # the development issuer: NOT FOR EVIDENCE
    verify_url: str  # base URL; the certificate's URL is <base>/<certificate id>
    retention_years: int
    backend: str  # where the ledger keeps its data: "SQLite" or "PostgreSQL"
    max_skew: int  # seconds (LEDGER_TSA_MAX_SKEW)
    clock_skew: int = 300  # seconds a platform time may be ahead (LEDGER_CLOCK_SKEW)
    public: bool = True  # False: no LEDGER_PUBLIC_URL, verify_url is the served address


@dataclass(frozen=True)
class Signing:
    """The PAdES level the signature will reach, and what it rests on."""

    level: str  # "B-LTA", "B-T" or "B-B"
    tsa: str | None = None  # the TSA of the time-stamps (B-LTA, B-T)
    tsa_development: bool = False
    failure: str | None = None  # why not B-LTA: a TSA that failed (B-B), no revocation data (B-T)
