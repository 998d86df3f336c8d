"""The English words of section 8 (the statements: declaration, retention, scope,
the PDF's signature, long-term validity, this edition) and of the appendices: the legal
texts of a certificate, kept apart from the rest of ``reports.words.en``."""

from __future__ import annotations

STATEMENTS: dict[str, str] = {
    "h_statements": "8  Statements",
    "st_declaration": "Declaration of a qualified person (FRE 902(11), 902(13), 902(14))",
    "st_declaration_text": (
        "I, {person}, {title} of {issuer}, am a custodian of the records of this ledger or am "
        "otherwise qualified to make this declaration, and I declare that: (1) the records shown "
        "in this certificate were made at or near the time of the events they record, from "
        "information transmitted by the signing platform, by an automated process that does "
        "not depend on anyone's recollection; (2) they were kept in the course of the regularly "
        "conducted activity of {issuer}; (3) making and keeping them is a regular practice of "
        "that activity; (4) the process described in section 3 produces an accurate result, "
        "and the data shown were copied from the ledger and are authenticated by the SHA-256 "
        "hashes, Merkle proofs and digital signatures shown here. I declare under penalty of "
        "perjury that the foregoing is true and correct."
    ),
    "st_signature_line": "Signature: ______________________________",
    "st_date": "Date: {date}",
    "st_name": "Name: {person}",
    "st_title": "Title: {title}",
    "st_retention": "Retention",
    "st_retention_text": (
        "What is kept: every leaf, hash-chain value, Merkle tree node, signed checkpoint and "
        "RFC 3161 token, for the life of the log and at least {years} years after the date of "
        "this certificate; the events' bodies and salts for the same period, unless erased on a "
        "lawful request (GDPR Art. 17, PIPL Art. 47), after which their leaves and proofs remain "
        "and verify as \u201ccontent erased\u201d. Where: in the operator's ledger database "
        "({backend}), run by {issuer}{address}; and, for this envelope, in every copy of this "
        "PDF (the embedded bundle). It serves: ESIGN, 15 U.S.C. §7001(d), and UETA §12 "
        "(retention of electronic records that accurately reflect the information and remain "
        "accessible); eIDAS, Regulation (EU) No 910/2014, Art. 25 and 41 (legal effect of "
        "electronic signatures and time stamps); the PRC Electronic Signature Law, Art. 5–8 "
        "(data messages as originals, their retention and reliability); the Supreme People's "
        "Court Provisions on Internet Courts, Art. 11, and the Online Litigation Rules, "
        "Art. 16–18 (authenticity of electronic data preserved with hash values, time stamps "
        "and tamper-evident technology)."
    ),
    "st_scope": "Scope and limits",
    "st_scope_text": (
        "This certificate proves that the events listed were received by the ledger, with the "
        "content shown, in the order shown, at the ledger times shown, and that they have not "
        "been changed since: any change would break the hashes, proofs and signatures above. "
        "With an anchor, it proves that the checkpoint containing them existed no later than "
        "the anchor's genTime. It does not prove: that what the platform reported is true (the "
        "platform times and contents are the platform's statements); a signer's identity beyond "
        "the authentication method named (an email link shows control of a mailbox, not who "
        "read it); the content of the documents beyond their SHA-256 hashes; a party's intent "
        "or capacity; or anything the platform did not send. An erased entry proves only that "
        "an event of that id, type and time was received."
    ),
    "st_pades": "The signature of this PDF",
    "st_pades_lta": (
        "This PDF is signed by the issuer with PAdES (ETSI EN 319 142-1) at level B-LTA: a "
        "CAdES detached signature ({algorithm}, SHA-256) by the issuer's certificate, a "
        "signature time-stamp and a document time-stamp over the whole file from {tsa}, and, in "
        "the document security store, the validation data: the certificate chains of the issuer "
        "and of the TSA with the revocation data (CRLs or OCSP responses) of every certificate "
        "below their roots, so the signature stays verifiable after the certificates expire."
    ),
    "st_pades_t": (
        "This PDF is signed by the issuer with PAdES (ETSI EN 319 142-1) at level B-T: a "
        "CAdES detached signature ({algorithm}, SHA-256) by the issuer's certificate and a "
        "signature time-stamp from {tsa}. {why} The PDF therefore carries no long-term "
        "validation data (B-LT) and no document time-stamp (B-LTA): a verifier checks the "
        "certificates' revocation status itself."
    ),
    "st_pades_no_revocation": "The revocation data B-LT needs could not be obtained ({reason}).",
    "st_pades_b": (
        "This PDF is signed by the issuer with PAdES (ETSI EN 319 142-1) at level B-B: a "
        "CAdES detached signature ({algorithm}, SHA-256) by the issuer's certificate. {why} "
        "The PDF therefore has no time-stamp and no long-term validation data: its signing "
        "time is the issuer's own statement."
    ),
    "st_pades_no_tsa": "No time-stamping authority is configured.",
    "st_pades_tsa_failed": "The time-stamping authority could not be used ({reason}).",
    "st_pades_level": "PAdES level reached: {level}",
    "st_signer": "Signer certificate",
    "st_signer_text": (
        "{subject}; issued by {issuer}; valid {start} to {end}; SHA-256 fingerprint {fp}."
    ),
    "st_longterm": "Long-term validity: algorithms and renewal",
    "la_use": "Use",
    "la_algorithm": "Algorithm",
    "la_leaf": "Leaf, tree and chain hashes",
    "la_leaf_alg": "{hash} (RFC 9162; prefixes 0x00, 0x01, 0x02)",
    "la_commit": "Event commitment",
    "la_commit_alg": "{hash} of a 32-byte salt and RFC 8785 canonical JSON",
    "la_note": "Checkpoint signatures",
    "la_note_alg": "Ed25519 (RFC 8032), C2SP signed note",
    "la_anchor": "Anchors",
    "la_anchor_alg": "RFC 3161 time-stamps: {algs}",
    "la_pdf": "This PDF",
    "la_pdf_alg": "PAdES {level}: {algorithm} with SHA-256",
    "st_renewal_text": (
        "Renewal: before a TSA certificate expires ({tsa_end}) or any of these algorithms "
        "weakens, the operator time-stamps the anchored checkpoints again with a current TSA "
        "and algorithm, and if the hash itself must change, starts a new log linked to this one "
        "by a renewal record, in the manner of RFC 4998 (Evidence Record Syntax): each renewal "
        "time-stamps the evidence before it, so the whole chain stays verifiable. This PDF is "
        "renewed the same way, by adding a document time-stamp (PAdES B-LTA) before the last "
        "one's certificate expires."
    ),
    "st_edition": "This edition",
    "st_edition_text": (
        "This is the English edition; the Simplified Chinese edition (简体中文版) of the same "
        "evidence is issued with lang=zh. Every page carries the certificate id and its page "
        "number. All text is set in the embedded font WenQuanYi Micro Hei, so names in Chinese "
        "characters (such as 张三) display correctly in any viewer."
    ),
    # appendices
    "h_appendix_a": "Appendix A  Inclusion and consistency proofs",
    "ap_a_intro": (
        "Hashes in the order they are used (RFC 9162 §2.1.3.2 and §2.1.4.2), in groups of 8 "
        "hex digits."
    ),
    "ap_a_entry": "seq {seq}: inclusion proof to tree size {size}, {n} hashes",
    "ap_a_empty": "(empty: the tree has one leaf)",
    "ap_a_consistency": "Consistency proof from tree size {old} to {new}, {n} hashes",
    "ap_a_not_listed": (
        "The inclusion proofs of the {n} entries not listed in section 4 are in the attached "
        "evidence bundle."
    ),
    "h_appendix_b": "Appendix B  Every verification check",
    "ap_b_intro": "As verify_bundle reported them at {time}; reasons as ledger-verify prints them.",
    "ap_b_not_listed": (
        "The {n} checks of the entries not listed in section 4 ({counts}) are not listed here; "
        "ledger-verify bundle on the attached evidence bundle shows each."
    ),
    "b_no": "#",
}
