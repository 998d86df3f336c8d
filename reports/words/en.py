"""The English words of a certificate (``lang=en``): the document's sentences.

Keys are the same in both languages (tests/reports/test_render.py checks it); values are
``str.format`` templates. Section 8 and the appendices are in
``reports.words.en_statements``; the vocabularies (event types, roles, statuses, check
names) in ``reports.words.terms``.
"""

from __future__ import annotations

from reports.words.en_statements import STATEMENTS

WORDS: dict[str, str] = {
    # header, footer, banners
    "title": "Certificate of Evidence",
    "subtitle": "Electronic-signature events preserved in a verifiable, append-only log",
    "footer": "Certificate of Evidence {id}",
    "page": "page {page} of {pages}",
    "dev_footer": "NOT FOR EVIDENCE",
    "dev_issuer": (
        "DEVELOPMENT ISSUER — NOT FOR EVIDENCE. This certificate is signed with the "
        "development issuer's key, which nobody trusts; configure LEDGER_ISSUER_CERT."
    ),
    "dev_tsa": (
        "The time-stamps come from the development TSA — NOT FOR EVIDENCE. They prove "
        "nothing about time; configure a real TSA (LEDGER_TSA_URLS)."
    ),
    "not_configured": "(not configured: set {setting})",
    "not_reported": "not reported by the platform",
    "colon": ": ",
    "paren": " ({text})",
    "list_sep": "; ",
    "none": "none",
    "erased": "content erased",
    "clipped": "… ({n} more characters in the attached bundle)",
    "list_more": "… and {n} more, in the attached evidence bundle",
    # summary (first page)
    "summary": "Summary",
    "s_id": "Certificate id",
    "s_issued": "Issued",
    "s_issuer": "Issuer",
    "s_what": "What",
    "s_what_text": "Envelope {envelope} ({title}) of tenant {tenant}: {events}, {documents}",
    "s_listing": "Events listed",
    "s_listing_text": (
        "{shown} of the {total} events are listed in section 4; the other {hidden} are not "
        "listed on these pages but are in the attached evidence bundle, entry by entry, with "
        "their proofs."
    ),
    "n_events": "{n} events",
    "n_event": "1 event",
    "n_documents": "{n} documents",
    "n_document": "1 document",
    "s_who": "Who",
    "s_who_more": "… and {n} more (section 2)",
    "s_when": "When",
    "s_when_platform": "Platform time: {first} to {last}",
    "s_when_ledger": "Ledger time: {first} to {last}",
    "s_verdict": "Verification",
    "s_flags": "Time findings",
    "s_flags_text": (
        "{n} of the {total} events carry a finding about the platform's times ({kinds}), "
        "shown beside the event in section 4. Such times are what the platform reported; they "
        "are kept as sent, and the ledger times are not affected."
    ),
    "s_flags_none": (
        "None: the platform's times agree with each other and with the ledger's clock "
        "(allowed clock skew {skew} s)."
    ),
    "s_flags_kind_after_receipt": "{n} later than the ledger received the event",
    "s_flags_kind_out_of_order": "{n} out of order",
    "s_verify": "Verify online",
    "s_not_public": (
        "This ledger instance is not publicly reachable (LEDGER_PUBLIC_URL is not set): "
        "the address works only where the issuer's own server can be reached."
    ),
    "s_edition": "Edition",
    "s_edition_text": "English (lang=en); 简体中文版: lang=zh",
    "s_zone": "Time zones",
    "s_zone_utc": "UTC only (no tz= chosen)",
    "s_zone_tz": "UTC, and {tz} (tz={tz})",
    "s_pades": "PDF signature",
    "verdict_valid": "VALID",
    "verdict_invalid": "INVALID",
    "verdict_pending": "PENDING (valid so far; not yet anchored)",
    # 1 issuer
    "h_issuer": "1  Issuer",
    "i_name": "Legal name",
    "i_address": "Address",
    "i_contact": "Contact",
    "i_role": "Role",
    "i_role_text": (
        "The issuer operates the ledger in which this evidence is preserved. It is not a "
        "party to the transaction recorded here and has no interest in its outcome."
    ),
    # 2 subject
    "h_subject": "2  Subject of this certificate",
    "sub_envelope": "Envelope id",
    "sub_title": "Title",
    "sub_titles_other": "Also reported as",
    "sub_tenant": "Tenant (the platform account that sent the events)",
    "sub_log": "Log",
    "sub_parties": "Parties",
    "p_name": "Name",
    "p_contact": "Email / phone",
    "p_role": "Role",
    "sub_documents": "Documents",
    "d_name": "Document",
    "d_size": "Size in bytes (original → final)",
    "d_original": "SHA-256 of the original",
    "d_final": "SHA-256 of the final version",
    "d_note": (
        "The original is the first version an event reported, the final version the last one. "
        "The documents themselves are not in the ledger; their hashes are."
    ),
    "d_none": "No event reported document hashes.",
    "d_named": "Documents the platform named without a hash (data.document_names): {names}",
    # 3 process, clock, zones
    "h_process": "3  How the events were collected and preserved",
    "pr_channels": "Channels",
    "c_channel": "Reached the ledger via",
    "c_auth": "Authenticated by",
    "c_events": "Events",
    "pr_channel_note": (
        "api: the platform called POST /v1/events with the tenant's ingest key (api-key). "
        "A platform name (docusign, adobesign, esign, esignglobal, documenso, docuseal, "
        "opensign): the platform's webhook, authenticated by the platform's own scheme: hmac "
        "(a verified HMAC signature of the body), shared-secret (a secret the platform sends "
        "with each delivery), or client-id-echo (the platform echoes our client id: "
        "authenticated by client id only, weaker than a signature). The SHA-256 of every "
        "delivery's raw body is kept in its leaf."
    ),
    "auth_api-key": "API key",
    "auth_hmac": "verified HMAC signature",
    "auth_shared-secret": "shared secret",
    "auth_client-id-echo": "authenticated by client id only (weaker than a signature)",
    "pr_preserve": "Preservation",
    "pr_preserve_text": (
        "Each accepted event is committed with a fresh 32-byte salt, SHA-256(salt ‖ JCS(event)) "
        "(RFC 8785 canonical JSON), into a leaf that also records the ledger time, the tenant "
        "and the channel. The leaf is appended to an append-only Merkle tree (RFC 9162) and to "
        "a hash chain. The log signs checkpoints of its tree (C2SP signed note, Ed25519) and "
        "anchors them with RFC 3161 time-stamps from time-stamping authorities (TSAs). Nothing "
        "is rewritten: changing any entry would change every later checkpoint."
    ),
    "pr_clock": "Clock source",
    "pr_clock_text": (
        "Two times are kept apart for every event. Platform time: when the event happened, as "
        "the signing platform reported it (occurred_at, with the platform's own UTC offset), "
        "never corrected by the ledger. Ledger time: when the ledger received the event "
        "(received_at, in the leaf), read from the ledger host's system clock in UTC to the "
        "microsecond. The ledger refuses any RFC 3161 token whose genTime is more than {skew} "
        "seconds from its clock, and every entry here is in a checkpoint time-stamped at "
        "{anchor_time}, so no ledger time here can be later than that."
    ),
    "pr_clock_pending": (
        "Two times are kept apart for every event. Platform time: when the event happened, as "
        "the signing platform reported it (occurred_at, with the platform's own UTC offset), "
        "never corrected by the ledger. Ledger time: when the ledger received the event "
        "(received_at, in the leaf), read from the ledger host's system clock in UTC to the "
        "microsecond. These entries are not yet anchored by a TSA, so no independent clock "
        "bounds the ledger times yet."
    ),
    "pr_plausible": "Plausibility of the platform's times",
    "pr_plausible_text": (
        "The ledger refuses an event whose platform time is more than 24 hours after the "
        "ledger received it, or before 1990-01-01. It accepts, and flags beside the event, a "
        "platform time more than {skew} seconds (the allowed clock skew) after receipt, and "
        "platform times of one envelope that contradict each other: an act before the "
        "envelope was sent, a completion before a signer signed, an act after completion."
    ),
    "pr_zones": "Time zones",
    "pr_zones_utc": (
        "Every time in this certificate is UTC (ISO 8601 date, 24-hour clock) and says so. "
        "No reader's time zone was chosen (add tz=<IANA zone> to show one too)."
    ),
    "pr_zones_tz": (
        "Every time in this certificate is given in UTC (ISO 8601 date, 24-hour clock) and, "
        "on the line below or after it, in the reader's zone {tz} (UTC{offset} at issue time), "
        "each marked with its zone."
    ),
    # 4 events
    "h_events": "4  Events",
    "ev_intro": (
        "The complete list of the envelope's {n} events, in the order the ledger received "
        "them. P: platform time, as reported; L: ledger time, when received."
    ),
    "ev_intro_some": (
        "The envelope has {n} events; {shown} are listed here, in the order the ledger "
        "received them: the first {head}, the last {tail}, and every one with a time finding "
        "or a failed check. The other {hidden} are not listed on these pages; every one is in "
        "the attached evidence bundle. P: platform time, as reported; L: ledger time, when "
        "received."
    ),
    "ev_gap": "seq {first} to {last}: {n} events not listed here (in the attached evidence bundle)",
    "e_seq": "Seq",
    "e_time": "Time (UTC)",
    "e_time_tz": "Time (UTC; below it {tz})",
    "e_event": "Event",
    "e_actor": "Actor (name, email / phone, role)",
    "e_net": "IP address / user agent",
    "e_source": "Reached via / authenticated by",
    "e_auth_method": "auth: {method}",
    "e_ip_none": "no IP or user agent sent",
    "flag": "Time finding: {text}.",
    "flag_after_receipt": (
        "the platform time is {duration} after the ledger received the event, more than the "
        "allowed clock skew of {skew} s: the platform's clock or its report is wrong"
    ),
    "flag_before_sent": "the platform time is before the envelope was sent (seq {other})",
    "flag_completed_before_signed": (
        "the envelope was completed before a signer signed (seq {other})"
    ),
    "flag_after_completed": "the platform time is after the envelope was completed (seq {other})",
    "dur_hm": "{h} h {m} min",
    "dur_ms": "{m} min {s} s",
    "dur_s": "{s} s",
    "f_title": "Title: {value}",
    "f_signature_type": "Signature type: {value}",
    "f_reason": "{label}: {value}",
    "f_reason_decline_reason": "Decline reason",
    "f_reason_void_reason": "Void reason",
    "f_reason_expiry_reason": "Expiry reason",
    "f_reason_other": "Reason ({field})",
    "f_documents": "Documents: {value}",
    "f_document": "{name} ({size} bytes, SHA-256 {sha}…)",
    "f_document_names": "Documents named: {value}",
    "f_recipient_times": "The recipient's times, as the platform reported them: {value}",
    "f_generated": "The platform generated this delivery at {value}",
    "f_source": "Platform time taken from the platform's field {field}",
    "f_recipients": "Reports every recipient: {n} (section 5)",
    # 5 signers, consent, reasons
    "h_signers": "5  Signers, consent, declines",
    "sg_signers": "Signers and their authentication",
    "sg_name": "Signer",
    "sg_contact": "Email / phone",
    "sg_auth": "Authentication method",
    "sg_sigtype": "Signature type",
    "sg_signed": "Signed at (platform time)",
    "sg_none": "No recipient.signed event was recorded.",
    "sg_not_signed": "not signed",
    "sg_consent": "Consent to electronic records and signatures",
    "sg_consent_row": "{who} consented at {time} (seq {seq})",
    "sg_consent_none": (
        "No consent event (recipient.consented) was recorded for this envelope: the platform "
        "did not report one."
    ),
    "sg_reasons": "Declines, voids and expiry",
    "sg_reason_row": "{event} at {time} by {who} (seq {seq}): {reason}",
    "sg_reason_missing": "no reason reported",
    "sg_reasons_none": "The envelope was not declined, voided or expired.",
    "sg_recipients": "Recipients as the platform reported them",
    "sg_recipients_text": (
        "From data.recipients of {reports}: where reports differ, the latest one is shown; "
        "each report is in the attached evidence bundle."
    ),
    "sg_recipients_none": "No event reported the envelope's list of recipients (data.recipients).",
    "r_name": "Recipient",
    "r_contact": "Email / phone",
    "r_role": "Role",
    "r_auth": "Authentication",
    "r_status": "Status",
    "r_times": "Times reported (platform)",
    "r_reports_one": "seq {seqs}",
    "r_reports_many": "{n} events (seq {seqs})",
    # 6 proofs
    "h_proofs": "6  Cryptographic proof",
    "pf_entries": "Entries: leaf hash and hash-chain value",
    "pf_intro": (
        "For every entry: its position (seq) in the log, its leaf hash SHA-256(0x00 ‖ leaf) and "
        "its hash-chain value SHA-256(0x02 ‖ previous chain ‖ leaf hash). Hashes are shown in "
        "groups of 8 hex digits; remove the spaces to compare."
    ),
    "pf_seq": "Seq",
    "pf_leaf": "Leaf hash (SHA-256)",
    "pf_chain": "Hash chain",
    "pf_proof": "Inclusion proof",
    "pf_proof_cell": "{n} hashes to tree size {size}, Appendix A",
    "pf_inclusion": "Inclusion proofs",
    "pf_inclusion_text": (
        "Each entry's RFC 9162 inclusion proof leads from its leaf hash to the root of the "
        "anchored checkpoint (tree size {size}). The proofs are listed in full in Appendix A."
    ),
    "pf_checkpoint": "Signed checkpoint",
    "pf_checkpoint_text": "The checkpoint (C2SP signed note) the proofs lead to, verbatim:",
    "pf_key": "Log public key (verifier key)",
    "pf_key_name": "key name {name}, key id {id} (Ed25519)",
    "pf_consistency": "Consistency to the newest checkpoint",
    "pf_consistency_text": (
        "The log today (tree size {new}) extends the anchored checkpoint (tree size {old}): "
        "RFC 9162 consistency proof of {n} hashes (Appendix A). The newest checkpoint:"
    ),
    "pf_consistency_none": (
        "The anchored checkpoint is the newest checkpoint of the log: no consistency proof is "
        "needed."
    ),
    "pf_consistency_pending": (
        "The entries are not yet anchored: the proofs lead to the newest checkpoint, so there "
        "is no newer one to prove consistency with."
    ),
    "pf_anchors": "RFC 3161 time-stamps (anchors)",
    "pf_anchors_text": "Each token time-stamps SHA-256 of the checkpoint's signed text.",
    "pf_anchors_none": "No RFC 3161 anchor covers these entries yet (status pending).",
    "a_tsa": "TSA",
    "a_url": "Requested from",
    "a_serial": "Serial number",
    "a_gen_time": "genTime",
    "a_policy": "Policy",
    "a_hash": "Hash algorithm",
    "a_accuracy": "Accuracy",
    "a_accuracy_value": "{seconds} s",
    "a_chain": "Certificate chain",
    "a_valid_until": "TSA certificate valid until",
    "a_unverified": "The token could not be verified: {reason}",
    "a_dev": "development TSA — NOT FOR EVIDENCE",
    # 7 verification
    "h_verification": "7  Verification",
    "v_result": "Result at issue time",
    "v_result_text": (
        "Verified at {time} by the issuer with ledger-verify's code (verify_bundle), the "
        "log's verifier keys and the configured TSA trust roots: {verdict}."
    ),
    "v_check": "Check",
    "v_scope": "Scope",
    "v_status": "Result",
    "v_detail": "Detail",
    "v_scope_bundle": "bundle",
    "v_scope_entries": "{n} entries",
    "chk_leaf": "each leaf is canonical and names this log, envelope and tenant",
    "chk_commitment": "each event is the one its leaf commits to (salted SHA-256)",
    "chk_chain": "each chain value follows from the one before and the leaf hash",
    "chk_inclusion": "each entry is in the anchored tree (RFC 9162 inclusion proof)",
    "chk_format": "each entry is well formed",
    "v_failed_at": "seq {seq}: {detail}",
    "v_count": "{n} {status}",
    "v_original": "{text}",
    "v_expected": " (expected {expected}, found {actual})",
    "v_all_checks": "Every check, one by one, is listed in Appendix B ({n} checks).",
    "v_howto": "How to verify this certificate yourself",
    "v_howto_tools": (
        "Get the log's verifier key and the TSA's root certificate from the operator (the "
        "service publishes them at /v1/log/key and /v1/log/tsa-roots), not from this PDF, "
        "and the issuer's CA certificate for the PDF signature."
    ),
    "v_howto_ledger": (
        "With ledger-verify. In a checkout of the Evidence Ledger repository, pip install "
        "./dist-verifier installs the verifier alone (or pip install the "
        "evidence_ledger_verify wheel that make verifier-dist builds); its pdf command comes "
        "with the service package: pip install . (docs/auditor-guide.md):"
    ),
    "v_howto_openssl": "With openssl alone, for any entry:",
    "v_step_pdf": (
        "ledger-verify pdf certificate.pdf --log-key '<verifier key>' --tsa-root tsa-root.pem "
        "--issuer-root issuer-ca.pem (service package) — checks this PDF's signature and "
        "time-stamps, extracts the bundle and verifies every proof in it."
    ),
    "v_step_bundle": (
        "pdfdetach -save 1 -o evidence-bundle.json certificate.pdf, then ledger-verify bundle "
        "evidence-bundle.json --log-key '<verifier key>' --tsa-root tsa-root.pem."
    ),
    "v_step_leaf": (
        "Leaf hash: base64 -d the entry's leaf into leaf.bin; (printf '\\000'; cat leaf.bin) | "
        "openssl dgst -sha256 gives the leaf hash of section 6."
    ),
    "v_step_commitment": (
        "Commitment: (printf the salt's bytes; the event as RFC 8785 JSON) | openssl dgst "
        "-sha256 gives the leaf's commitment field."
    ),
    "v_step_chain": (
        "Chain: (printf '\\002'; previous chain bytes; leaf hash bytes) | openssl dgst -sha256 "
        "gives the entry's chain value."
    ),
    "v_step_inclusion": (
        "Inclusion (RFC 9162 §2.1.3.2): hash the leaf hash with each proof hash in turn, "
        "(printf '\\001'; left; right) | openssl dgst -sha256, left or right as the seq's bits "
        "say; the last value is the root in the checkpoint's third line (base64)."
    ),
    "v_step_note": (
        "Checkpoint signature: the base64 after '— <key name> ' is a 4-byte key id and a "
        "64-byte Ed25519 signature of the note's text up to its blank line: openssl pkeyutl "
        "-verify -pubin -inkey log-key.pem -rawin -in note.txt -sigfile sig.bin."
    ),
    "v_step_anchor": (
        "Anchor: openssl ts -verify -digest <SHA-256 of note.txt> -in token.der -token_in "
        "-CAfile tsa-root.pem."
    ),
    "v_step_pdfsig": (
        "This PDF: pdfsig certificate.pdf (poppler) checks the issuer's signature; any PAdES "
        "validator (ledger-verify pdf, Adobe Acrobat) also checks the document time-stamp."
    ),
    "v_online": "Online",
    "v_online_text": "Scan the QR code on the first page, or open {url}",
    "v_attachment": "The evidence bundle inside this PDF",
    "v_attachment_text": (
        "The complete evidence bundle (evidence-bundle/1, JSON) is embedded in this PDF as the "
        "file attachment {name} ({size} bytes, SHA-256 {sha}), so this PDF alone suffices for "
        "verification. The certificate id is made of the first 64 bits of that hash. Open the "
        "attachments panel of your PDF reader, or run pdfdetach -save 1 certificate.pdf."
    ),
}
WORDS.update(STATEMENTS)
