"""The words of a certificate, in English and Simplified Chinese (``lang=en|zh``).

Keys are the same in both languages (a test checks it); values are ``str.format``
templates. Verifier output (check reasons, the bottom line) stays in English in both
editions: it is what ``ledger-verify`` prints, and a reader can reproduce it.
"""

from __future__ import annotations

import functools
from typing import Literal
from zoneinfo import available_timezones

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


@functools.cache
def zones() -> tuple[str, ...]:
    """The IANA time zone names a reader may choose (``tz=``), sorted."""
    return tuple(sorted(available_timezones()))


EN: dict[str, str] = {
    # header, footer, banners
    "title": "Certificate of Evidence",
    "subtitle": "Electronic-signature events preserved in a verifiable, append-only log",
    "footer": "Certificate of Evidence {id}",
    "page": "page {page} of {pages}",
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
    "none": "none",
    "erased": "content erased",
    # summary (first page)
    "summary": "Summary",
    "s_id": "Certificate id",
    "s_issued": "Issued",
    "s_issuer": "Issuer",
    "s_what": "What",
    "s_what_text": "Envelope {envelope} ({title}) of tenant {tenant}: {events}, {documents}",
    "n_events": "{n} events",
    "n_event": "1 event",
    "n_documents": "{n} documents",
    "n_document": "1 document",
    "s_who": "Who",
    "s_when": "When",
    "s_when_platform": "Platform time: {first} to {last}",
    "s_when_ledger": "Ledger time: {first} to {last}",
    "s_verdict": "Verification",
    "s_verify": "Verify online",
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
        "(a verified HMAC signature of the body), shared-secret, or client-id-echo. The SHA-256 "
        "of every delivery's raw body is kept in its leaf."
    ),
    "auth_api-key": "API key",
    "auth_hmac": "verified HMAC signature",
    "auth_shared-secret": "shared secret",
    "auth_client-id-echo": "client-id echo",
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
    "e_seq": "Seq",
    "e_time": "Time (UTC)",
    "e_time_tz": "Time (UTC; below it {tz})",
    "e_event": "Event",
    "e_actor": "Actor (name, email / phone, role)",
    "e_net": "IP address / user agent",
    "e_source": "Reached via / authenticated by",
    "e_auth_method": "auth: {method}",
    "e_ip_none": "no IP or user agent sent",
    # 5 signers, consent, reasons
    "h_signers": "5  Signers, consent, declines",
    "sg_signers": "Signers and their authentication",
    "sg_name": "Signer",
    "sg_contact": "Email / phone",
    "sg_auth": "Authentication method",
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
    "v_all_checks": "Every check, one by one, is listed in Appendix B ({n} checks).",
    "v_howto": "How to verify this certificate yourself",
    "v_howto_tools": (
        "Get the log's verifier key and the TSA's root certificate from the operator (the "
        "service publishes them at /v1/log/key and /v1/log/tsa-roots), not from this PDF, "
        "and the issuer's CA certificate for the PDF signature."
    ),
    "v_howto_ledger": "With ledger-verify (pip install evidence-ledger):",
    "v_howto_openssl": "With openssl alone, for any entry:",
    "v_step_pdf": (
        "ledger-verify pdf certificate.pdf --log-key '<verifier key>' --tsa-root tsa-root.pem "
        "--issuer-root issuer-ca.pem — checks this PDF's signature and time-stamps, extracts "
        "the bundle and verifies every proof in it."
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
    # 8 statements
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
        "signature time-stamp and a document time-stamp over the whole file from {tsa}, and the "
        "validation data (the certificate chains and any revocation data) in the document "
        "security store, so the signature stays verifiable after the certificates expire."
    ),
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
    "h_appendix_b": "Appendix B  Every verification check",
    "ap_b_intro": "As verify_bundle reported them at {time}; reasons as ledger-verify prints them.",
    "b_no": "#",
}

ZH: dict[str, str] = {
    "title": "电子证据证书",
    "subtitle": "在可验证、仅追加日志中保全的电子签名事件",
    "footer": "电子证据证书 {id}",
    "page": "第 {page} 页，共 {pages} 页",
    "dev_issuer": (
        "开发用签发者——不得作为证据。本证书由开发用签发者密钥签署，该密钥不受任何人信任；"
        "请配置 LEDGER_ISSUER_CERT。"
    ),
    "dev_tsa": (
        "时间戳来自开发用时间戳服务——不得作为证据。它们不能证明任何时间；请配置真实的时间戳"
        "服务（LEDGER_TSA_URLS）。"
    ),
    "not_configured": "（未配置：请设置 {setting}）",
    "not_reported": "平台未报告",
    "none": "无",
    "erased": "内容已删除",
    "summary": "摘要",
    "s_id": "证书编号",
    "s_issued": "签发时间",
    "s_issuer": "签发者",
    "s_what": "事项",
    "s_what_text": "租户 {tenant} 的信封 {envelope}（{title}）：{events}，{documents}",
    "n_events": "{n} 个事件",
    "n_event": "1 个事件",
    "n_documents": "{n} 份文件",
    "n_document": "1 份文件",
    "s_who": "参与方",
    "s_when": "时间",
    "s_when_platform": "平台时间：{first} 至 {last}",
    "s_when_ledger": "账本时间：{first} 至 {last}",
    "s_verdict": "验证结论",
    "s_verify": "在线验证",
    "s_edition": "版本",
    "s_edition_text": "简体中文版（lang=zh）；English edition: lang=en",
    "s_zone": "时区",
    "s_zone_utc": "仅 UTC（未选择 tz=）",
    "s_zone_tz": "UTC 及 {tz}（tz={tz}）",
    "s_pades": "PDF 签名",
    "verdict_valid": "有效（VALID）",
    "verdict_invalid": "无效（INVALID）",
    "verdict_pending": "待锚定（PENDING：目前有效，尚未经时间戳锚定）",
    "h_issuer": "1  签发者",
    "i_name": "法定名称",
    "i_address": "地址",
    "i_contact": "联系方式",
    "i_role": "身份",
    "i_role_text": (
        "签发者是保全本证据的账本的运营者，并非本证书所记录交易的当事方，与交易结果无利害关系。"
    ),
    "h_subject": "2  证书对象",
    "sub_envelope": "信封编号",
    "sub_title": "标题",
    "sub_tenant": "租户（发送事件的平台账户）",
    "sub_log": "日志",
    "sub_parties": "参与方",
    "p_name": "姓名",
    "p_contact": "邮箱 / 电话",
    "p_role": "角色",
    "sub_documents": "文件",
    "d_name": "文件",
    "d_size": "大小（字节，原始 → 最终）",
    "d_original": "原始版本 SHA-256",
    "d_final": "最终版本 SHA-256",
    "d_note": (
        "原始版本为事件首次报告的版本，最终版本为最后一次报告的版本。账本不保存文件本身，只保存其"
        "哈希。"
    ),
    "d_none": "没有事件报告文件哈希。",
    "h_process": "3  事件的收集与保全",
    "pr_channels": "接入渠道",
    "c_channel": "接入渠道",
    "c_auth": "认证方式",
    "c_events": "事件数",
    "pr_channel_note": (
        "api：平台以租户的写入密钥（api-key）调用 POST /v1/events。平台名称（docusign、"
        "adobesign、esign、esignglobal、documenso、docuseal、opensign）：平台的回调"
        "（webhook），以平台自身的方式认证：hmac（已验证的消息体 HMAC 签名）、shared-secret"
        "（共享密钥）或 client-id-echo（客户端标识回显）。每次投递原始消息体的 SHA-256 均保存在"
        "其叶子中。"
    ),
    "auth_api-key": "API 密钥",
    "auth_hmac": "已验证的 HMAC 签名",
    "auth_shared-secret": "共享密钥",
    "auth_client-id-echo": "客户端标识回显",
    "pr_preserve": "保全方式",
    "pr_preserve_text": (
        "每个被接受的事件都以新生成的 32 字节盐值作承诺，即 SHA-256(盐值 ‖ JCS(事件))"
        "（RFC 8785 规范化 JSON），写入一个同时记录账本时间、租户和接入渠道的叶子。叶子被追加到"
        "仅追加的默克尔树（RFC 9162）和哈希链中。日志对其树的检查点签名（C2SP 签名便笺，"
        "Ed25519），并以时间戳服务机构（TSA）的 RFC 3161 时间戳锚定。任何内容都不会被改写："
        "修改任一条目都会改变其后的所有检查点。"
    ),
    "pr_clock": "时钟来源",
    "pr_clock_text": (
        "每个事件的两个时间分开保存。平台时间：事件发生的时间，以签署平台报告的为准"
        "（occurred_at，带平台自身的 UTC 偏移），账本从不修改。账本时间：账本接收事件的时间"
        "（received_at，记录在叶子中），取自账本主机的系统时钟，UTC，精确到微秒。账本拒绝 genTime "
        "与其时钟相差超过 {skew} 秒的 RFC 3161 时间戳；此处每个条目都在一个于 {anchor_time} "
        "加盖时间戳的检查点中，因此此处任何账本时间都不会晚于该时间。"
    ),
    "pr_clock_pending": (
        "每个事件的两个时间分开保存。平台时间：事件发生的时间，以签署平台报告的为准"
        "（occurred_at，带平台自身的 UTC 偏移），账本从不修改。账本时间：账本接收事件的时间"
        "（received_at，记录在叶子中），取自账本主机的系统时钟，UTC，精确到微秒。这些条目尚未"
        "经时间戳服务机构锚定，因此目前尚无独立时钟约束账本时间。"
    ),
    "pr_zones": "时区",
    "pr_zones_utc": (
        "本证书中的每个时间均为 UTC（ISO 8601 日期，24 小时制），并注明时区。"
        "读者未选择时区（加上 tz=<IANA 时区> 可同时显示）。"
    ),
    "pr_zones_tz": (
        "本证书中的每个时间均以 UTC（ISO 8601 日期，24 小时制）给出，并在其下方或其后以读者"
        "选择的时区 {tz}（签发时为 UTC{offset}）给出，均注明时区。"
    ),
    "h_events": "4  事件记录",
    "ev_intro": (
        "信封全部 {n} 个事件，按账本接收顺序排列。P：平台时间（平台报告）；L：账本时间（接收）。"
    ),
    "e_seq": "序号",
    "e_time": "时间（UTC）",
    "e_time_tz": "时间（UTC；其下为 {tz}）",
    "e_event": "事件",
    "e_actor": "行为人（姓名、邮箱/电话、角色）",
    "e_net": "IP 地址 / 用户代理",
    "e_source": "接入渠道 / 认证方式",
    "e_auth_method": "认证：{method}",
    "e_ip_none": "未发送 IP 或用户代理",
    "h_signers": "5  签署人、同意与拒签",
    "sg_signers": "签署人及其身份认证",
    "sg_name": "签署人",
    "sg_contact": "邮箱 / 电话",
    "sg_auth": "身份认证方式",
    "sg_signed": "签署时间（平台时间）",
    "sg_none": "未记录 recipient.signed（签署）事件。",
    "sg_not_signed": "未签署",
    "sg_consent": "对电子记录和电子签名的同意",
    "sg_consent_row": "{who} 于 {time} 表示同意（序号 {seq}）",
    "sg_consent_none": "本信封未记录同意事件（recipient.consented）：平台未报告。",
    "sg_reasons": "拒签、作废与过期",
    "sg_reason_row": "{event}，{time}，{who}（序号 {seq}）：{reason}",
    "sg_reason_missing": "未报告理由",
    "sg_reasons_none": "该信封未被拒签、作废或过期。",
    "h_proofs": "6  密码学证明",
    "pf_entries": "条目：叶子哈希与哈希链值",
    "pf_intro": (
        "每个条目：其在日志中的位置（序号）、叶子哈希 SHA-256(0x00 ‖ 叶子) 及哈希链值 "
        "SHA-256(0x02 ‖ 前一链值 ‖ 叶子哈希)。哈希以 8 位十六进制数字分组显示；比较时请去掉空格。"
    ),
    "pf_seq": "序号",
    "pf_leaf": "叶子哈希（SHA-256）",
    "pf_chain": "哈希链",
    "pf_proof": "包含证明",
    "pf_proof_cell": "{n} 个哈希，至树大小 {size}，见附录A",
    "pf_inclusion": "包含证明",
    "pf_inclusion_text": (
        "每个条目的 RFC 9162 包含证明从其叶子哈希通向已锚定检查点（树大小 {size}）的根。"
        "全部证明列于附录A。"
    ),
    "pf_checkpoint": "已签名检查点",
    "pf_checkpoint_text": "证明所指向的检查点（C2SP 签名便笺）原文：",
    "pf_key": "日志公钥（验证密钥）",
    "pf_key_name": "密钥名称 {name}，密钥标识 {id}（Ed25519）",
    "pf_consistency": "与最新检查点的一致性",
    "pf_consistency_text": (
        "当前日志（树大小 {new}）是已锚定检查点（树大小 {old}）的延伸：RFC 9162 一致性证明共 "
        "{n} 个哈希（附录A）。最新检查点："
    ),
    "pf_consistency_none": "已锚定检查点即日志最新检查点，无需一致性证明。",
    "pf_consistency_pending": (
        "条目尚未锚定：证明指向最新检查点，因此没有更新的检查点需要证明一致性。"
    ),
    "pf_anchors": "RFC 3161 时间戳（锚定）",
    "pf_anchors_text": "每个时间戳对检查点签名文本的 SHA-256 加盖时间。",
    "pf_anchors_none": "目前尚无 RFC 3161 时间戳覆盖这些条目（状态：待锚定）。",
    "a_tsa": "时间戳服务机构",
    "a_url": "请求地址",
    "a_serial": "序列号",
    "a_gen_time": "genTime（生成时间）",
    "a_policy": "策略",
    "a_hash": "哈希算法",
    "a_accuracy": "精度",
    "a_accuracy_value": "{seconds} 秒",
    "a_chain": "证书链",
    "a_valid_until": "时间戳证书有效期至",
    "a_unverified": "该时间戳无法验证：{reason}",
    "a_dev": "开发用时间戳服务——不得作为证据",
    "h_verification": "7  验证",
    "v_result": "签发时的验证结果",
    "v_result_text": (
        "签发者于 {time} 使用 ledger-verify 的代码（verify_bundle）、日志验证密钥和已配置的"
        "时间戳服务根证书进行验证：{verdict}。"
    ),
    "v_check": "检查项",
    "v_scope": "范围",
    "v_status": "结果",
    "v_detail": "说明",
    "v_scope_bundle": "证据包",
    "v_scope_entries": "{n} 个条目",
    "chk_leaf": "每个叶子均为规范形式，并载明本日志、信封和租户",
    "chk_commitment": "每个事件均为其叶子所承诺的事件（加盐 SHA-256）",
    "chk_chain": "每个链值均由前一链值和叶子哈希得出",
    "chk_inclusion": "每个条目均在已锚定的树中（RFC 9162 包含证明）",
    "chk_format": "每个条目格式正确",
    "v_all_checks": "附录B 逐项列出全部检查（共 {n} 项）。",
    "v_howto": "如何自行验证本证书",
    "v_howto_tools": (
        "请从运营者处（服务在 /v1/log/key 和 /v1/log/tsa-roots 公布）而非从本 PDF 获取日志验证"
        "密钥和时间戳服务根证书，并获取签发者的 CA 证书以验证 PDF 签名。"
    ),
    "v_howto_ledger": "使用 ledger-verify（pip install evidence-ledger）：",
    "v_howto_openssl": "仅使用 openssl，对任一条目：",
    "v_step_pdf": (
        "ledger-verify pdf certificate.pdf --log-key '<验证密钥>' --tsa-root tsa-root.pem "
        "--issuer-root issuer-ca.pem——检查本 PDF 的签名和时间戳，提取证据包并验证其中每个证明。"
    ),
    "v_step_bundle": (
        "pdfdetach -save 1 -o evidence-bundle.json certificate.pdf，然后 ledger-verify bundle "
        "evidence-bundle.json --log-key '<验证密钥>' --tsa-root tsa-root.pem。"
    ),
    "v_step_leaf": (
        "叶子哈希：将条目的 leaf 以 base64 解码为 leaf.bin；(printf '\\000'; cat leaf.bin) | "
        "openssl dgst -sha256 即得第6节的叶子哈希。"
    ),
    "v_step_commitment": (
        "承诺：(printf 盐值字节; RFC 8785 规范化的事件 JSON) | openssl dgst -sha256 即得叶子的 "
        "commitment 字段。"
    ),
    "v_step_chain": (
        "哈希链：(printf '\\002'; 前一链值字节; 叶子哈希字节) | openssl dgst -sha256 即得该条目的"
        "链值。"
    ),
    "v_step_inclusion": (
        "包含证明（RFC 9162 §2.1.3.2）：将叶子哈希依次与每个证明哈希合并哈希，(printf '\\001'; "
        "左; 右) | openssl dgst -sha256，左右由序号的二进制位决定；最后的值即检查点第三行"
        "（base64）中的根。"
    ),
    "v_step_note": (
        "检查点签名：'— <密钥名称> ' 之后的 base64 为 4 字节密钥标识和对便笺空行之前文本的 64 字节 "
        "Ed25519 签名：openssl pkeyutl -verify -pubin -inkey log-key.pem -rawin -in note.txt "
        "-sigfile sig.bin。"
    ),
    "v_step_anchor": (
        "锚定：openssl ts -verify -digest <note.txt 的 SHA-256> -in token.der -token_in "
        "-CAfile tsa-root.pem。"
    ),
    "v_step_pdfsig": (
        "本 PDF：pdfsig certificate.pdf（poppler）检查签发者的签名；任何 PAdES 验证工具"
        "（ledger-verify pdf、Adobe Acrobat）还会检查文档时间戳。"
    ),
    "v_online": "在线验证",
    "v_online_text": "扫描第一页的二维码，或打开 {url}",
    "v_attachment": "本 PDF 内的证据包",
    "v_attachment_text": (
        "完整的证据包（evidence-bundle/1，JSON）作为附件 {name} 嵌入本 PDF（{size} 字节，"
        "SHA-256 {sha}），因此仅凭本 PDF 即可验证。证书编号取自该哈希的前 64 位。请打开 PDF "
        "阅读器的附件面板，或运行 pdfdetach -save 1 certificate.pdf。"
    ),
    "h_statements": "8  声明",
    "st_declaration": "合格人员声明（参照美国《联邦证据规则》902(11)、902(13)、902(14)）",
    "st_declaration_text": (
        "本人 {person}，{issuer} 的 {title}，系本账本记录的保管人或具备作出本声明的资格，兹声明："
        "（一）本证书所示记录系根据签署平台传送的信息，在所记录事件发生之时或临近之时，由不依赖"
        "任何人记忆的自动化程序生成；（二）该等记录系在 {issuer} 的日常经营活动中保存；（三）生成"
        "并保存该等记录是该活动的常规做法；（四）第3节所述程序能产生准确结果，所示数据自账本复制，"
        "并以本证书所示的 SHA-256 哈希、默克尔证明和数字签名予以鉴真。本人保证上述内容真实、准确，"
        "如有虚假愿承担法律责任。"
    ),
    "st_signature_line": "签名：______________________________",
    "st_date": "日期：{date}",
    "st_name": "姓名：{person}",
    "st_title": "职务：{title}",
    "st_retention": "保存",
    "st_retention_text": (
        "保存内容：每个叶子、哈希链值、默克尔树节点、已签名检查点和 RFC 3161 时间戳，在日志存续"
        "期间保存，且自本证书日期起不少于 {years} 年；事件正文及盐值保存同样期限，除非依合法请求"
        "删除（GDPR 第17条、《个人信息保护法》第四十七条），删除后其叶子和证明仍然保留，验证结果为"
        "“内容已删除”。保存地点：运营者的账本数据库（{backend}），由 {issuer}{address} 运营；"
        "就本信封而言，还保存在本 PDF 的每一份副本中（嵌入的证据包）。所依据的法律：美国 ESIGN 法 "
        "15 U.S.C. §7001(d) 及 UETA 第12条（电子记录的保存，须准确反映信息并可供调取）；欧盟 eIDAS "
        "条例（(EU) No 910/2014）第25条和第41条（电子签名和时间戳的法律效力）；《中华人民共和国"
        "电子签名法》第五条至第八条（数据电文作为原件、其保存与可靠性）；《最高人民法院关于互联网"
        "法院审理案件若干问题的规定》第十一条及《人民法院在线诉讼规则》第十六条至第十八条（以哈希"
        "值、"
        "时间戳等防篡改技术保全的电子数据的真实性）。"
    ),
    "st_scope": "证明范围与限制",
    "st_scope_text": (
        "本证书证明：所列事件以所示内容、所示顺序、在所示账本时间被账本接收，且此后未被更改——任何"
        "更改都会破坏上述哈希、证明和签名。存在锚定时，还证明包含这些事件的检查点不晚于锚定的 "
        "genTime 已经存在。本证书不证明：平台报告内容的真实性（平台时间和内容是平台的陈述）；超出"
        "所列"
        "认证方式的签署人身份（邮件链接只表明对邮箱的控制，而非阅读者是谁）；超出 SHA-256 哈希的文"
        "件"
        "内容；当事人的意愿或行为能力；以及平台未发送的任何内容。已删除条目仅证明曾收到具有该编号、"
        "类型和时间的事件。"
    ),
    "st_pades": "本 PDF 的签名",
    "st_pades_lta": (
        "本 PDF 由签发者以 PAdES（ETSI EN 319 142-1）B-LTA 级签署：签发者证书的 CAdES 分离式签名"
        "（{algorithm}，SHA-256），来自 {tsa} 的签名时间戳和覆盖整个文件的文档时间戳，以及存放于"
        "文档安全存储（DSS）中的验证数据（证书链及可获得的吊销数据），使签名在证书过期后仍可验证。"
    ),
    "st_pades_b": (
        "本 PDF 由签发者以 PAdES（ETSI EN 319 142-1）B-B 级签署：签发者证书的 CAdES 分离式签名"
        "（{algorithm}，SHA-256）。{why}因此本 PDF 不含时间戳和长期验证数据：其签署时间仅为签发者"
        "自己的陈述。"
    ),
    "st_pades_no_tsa": "未配置时间戳服务机构。",
    "st_pades_tsa_failed": "时间戳服务机构不可用（{reason}）。",
    "st_pades_level": "达到的 PAdES 级别：{level}",
    "st_signer": "签名证书",
    "st_signer_text": "{subject}；颁发者 {issuer}；有效期 {start} 至 {end}；SHA-256 指纹 {fp}。",
    "st_longterm": "长期有效性：算法与续期",
    "la_use": "用途",
    "la_algorithm": "算法",
    "la_leaf": "叶子、树和链哈希",
    "la_leaf_alg": "{hash}（RFC 9162；前缀 0x00、0x01、0x02）",
    "la_commit": "事件承诺",
    "la_commit_alg": "对 32 字节盐值和 RFC 8785 规范化 JSON 的 {hash}",
    "la_note": "检查点签名",
    "la_note_alg": "Ed25519（RFC 8032），C2SP 签名便笺",
    "la_anchor": "锚定",
    "la_anchor_alg": "RFC 3161 时间戳：{algs}",
    "la_pdf": "本 PDF",
    "la_pdf_alg": "PAdES {level}：{algorithm}，SHA-256",
    "st_renewal_text": (
        "续期计划：在时间戳证书到期（{tsa_end}）或上述任一算法强度减弱之前，运营者以当时有效的"
        "时间戳服务和算法对已锚定检查点重新加盖时间戳；如哈希算法本身须更换，则新建日志并以续期记录"
        "与本日志相链接，方式参照 RFC 4998（证据记录语法）：每次续期都对之前的证据加盖时间戳，使整"
        "条"
        "证据链始终可验证。本 PDF 以同样方式续期：在最后一个文档时间戳的证书到期前加盖新的文档时间"
        "戳"
        "（PAdES B-LTA）。"
    ),
    "st_edition": "关于本版本",
    "st_edition_text": (
        "本版本为简体中文版；同一证据的英文版（English edition）以 lang=en 签发。每页均载明证书编号"
        "和页码。全部文字使用嵌入的文泉驿微米黑字体，因此中文姓名（如张三）在任何阅读器中都能正确"
        "显示。"
    ),
    "h_appendix_a": "附录A  包含证明与一致性证明",
    "ap_a_intro": "哈希按使用顺序列出（RFC 9162 §2.1.3.2 和 §2.1.4.2），以 8 位十六进制数字分组。",
    "ap_a_entry": "序号 {seq}：至树大小 {size} 的包含证明，{n} 个哈希",
    "ap_a_empty": "（空：树只有一个叶子）",
    "ap_a_consistency": "从树大小 {old} 到 {new} 的一致性证明，{n} 个哈希",
    "h_appendix_b": "附录B  逐项验证结果",
    "ap_b_intro": "verify_bundle 于 {time} 的报告；说明为 ledger-verify 输出的原文（英文）。",
    "b_no": "#",
}

TEXTS: dict[Lang, dict[str, str]] = {"en": EN, "zh": ZH}

# The §1 vocabulary, for people.
EVENT_TYPES: dict[Lang, dict[str, str]] = {
    "en": {
        "envelope.created": "Envelope created",
        "envelope.sent": "Envelope sent",
        "recipient.delivered": "Delivered to recipient",
        "recipient.viewed": "Recipient viewed",
        "recipient.authenticated": "Recipient authenticated",
        "recipient.consented": "Recipient consented to e-records",
        "recipient.signed": "Recipient signed",
        "recipient.declined": "Recipient declined",
        "recipient.delegated": "Recipient delegated",
        "reminder.sent": "Reminder sent",
        "envelope.completed": "Envelope completed",
        "envelope.declined": "Envelope declined",
        "envelope.voided": "Envelope voided",
        "envelope.expired": "Envelope expired",
        "document.added": "Document added",
    },
    "zh": {
        "envelope.created": "信封已创建",
        "envelope.sent": "信封已发送",
        "recipient.delivered": "已送达收件人",
        "recipient.viewed": "收件人已查看",
        "recipient.authenticated": "收件人已通过认证",
        "recipient.consented": "收件人同意使用电子记录",
        "recipient.signed": "收件人已签署",
        "recipient.declined": "收件人已拒签",
        "recipient.delegated": "收件人已转委托",
        "reminder.sent": "已发送提醒",
        "envelope.completed": "信封已完成",
        "envelope.declined": "信封已被拒签",
        "envelope.voided": "信封已作废",
        "envelope.expired": "信封已过期",
        "document.added": "已添加文件",
    },
}

CHECKS: dict[str, str] = {
    "format": "格式",
    "key known": "密钥已知",
    "checkpoint signature": "检查点签名",
    "leaf": "叶子",
    "commitment": "承诺",
    "chain": "哈希链",
    "inclusion": "包含证明",
    "anchor token": "锚定时间戳",
    "anchor covers checkpoint": "锚定覆盖检查点",
    "consistency to latest": "与最新检查点一致",
}

STATUSES: dict[Lang, dict[str, str]] = {
    "en": {
        "pass": "pass",
        "fail": "FAIL",
        "erased": "content erased",
        "pending": "pending",
        "skipped": "skipped",
    },
    "zh": {
        "pass": "通过",
        "fail": "失败",
        "erased": "内容已删除",
        "pending": "待定",
        "skipped": "跳过",
    },
}


class Texts:
    """The words of one edition: ``t("key", name=value)``."""

    def __init__(self, lang: Lang) -> None:
        if lang not in TEXTS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        self.lang: Lang = lang
        self._words = TEXTS[lang]

    def __call__(self, key: str, **values: object) -> str:
        return self._words[key].format(**values) if values else self._words[key]

    def event_type(self, name: str) -> str:
        return EVENT_TYPES[self.lang].get(name, name)

    def check(self, name: str) -> str:
        return CHECKS.get(name, name) if self.lang == "zh" else name

    def status(self, status: str) -> str:
        return STATUSES[self.lang].get(status, status)

    def authenticated(self, how: str) -> str:
        return self._words.get(f"auth_{how}", how)
