"""The words of the public verification page (``ledger.api.verify``), English and Chinese
(the same keys; the Chinese uses the terms of the glossary in docs/certificate.md). The
sentence that an instance is not publicly reachable is the certificate's own
(``reports.words``: ``s_not_public``)."""

from __future__ import annotations

from reports.texts import TEXTS, Lang

EN: dict[str, str] = {
    "html_lang": "en",
    "other_lang": "zh",
    "other_lang_name": "中文",
    "title": "Verify a certificate of evidence",
    "certificate": "Certificate {id}",
    "issued_by": "Issued by this ledger",
    "log_origin": "Log origin",
    "issuer": "Issuer",
    "issuer_unnamed": "not named (LEDGER_ISSUER_NAME is not set)",
    "dev_issuer": "the development issuer: NOT FOR EVIDENCE",
    "envelope": "Envelope id",
    "state": "State",
    "current": "Current: the newest certificate of this envelope's evidence.",
    "superseded": "Superseded: newer evidence of this envelope was certified as",
    "content_erased": (
        "Content erased: personal data of this envelope was erased on {date}, and with it "
        "the stored PDF and evidence bundle of this certificate. Its id and hashes below "
        "still identify them; a copy kept elsewhere can still be checked against them."
    ),
    "supersedes": "Supersedes",
    "first_issued": "First issued",
    "pades": "PAdES level",
    "level_note": "Why not a higher level",
    "rests_on": "Rests on the checkpoint",
    "checkpoint_text": "tree size {size}, root hash {root}",
    "evidence_status": "Evidence status",
    "anchored": "anchored",
    "pending": "pending: no RFC 3161 anchor covers it yet",
    "anchors": "Anchors (RFC 3161 time-stamps)",
    "anchor_text": "{tsa} at {time}, token SHA-256 {sha}",
    "no_anchor": "none yet",
    "evidence_sha": "Evidence SHA-256 (what the id names)",
    "bundle_sha": "evidence-bundle.json SHA-256",
    "editions": "Editions",
    "ed_lang": "Language",
    "ed_tz": "Time zone",
    "ed_issued": "Issued at (UTC)",
    "ed_level": "PAdES level",
    "ed_sha": "PDF SHA-256",
    "lang_en": "English",
    "lang_zh": "Chinese",
    "utc_only": "UTC only",
    "upload": "Check a file",
    "upload_text": (
        "Upload a certificate PDF or an evidence bundle (JSON), at most 20 MB. It is "
        "checked as ledger-verify pdf and ledger-verify bundle check it, with this ledger's "
        "log keys, TSA roots and issuer roots, and compared with the registry. The file "
        "is not kept."
    ),
    "choose": "File",
    "verify": "Verify",
    "offline": (
        "To check without trusting this page, use ledger-verify offline (docs/auditor-guide.md)."
    ),
    "result": "Result",
    "valid": "VALID",
    "invalid": "INVALID",
    "kind_pdf": "certificate PDF",
    "kind_bundle": "evidence bundle",
    "file_kind": "File",
    "file_sha": "SHA-256 of the file",
    "failed": "Failed check: {name}",
    "registered_pdf": "This exact PDF was issued by this ledger: certificate",
    "unregistered_pdf": (
        "This ledger issued no PDF with this SHA-256: the file is not one this ledger "
        "issued, or it was changed."
    ),
    "registered_bundle": "A certificate was issued for this evidence:",
    "unregistered_bundle": "No certificate was issued for this evidence by this ledger.",
    "claim": "What the checks prove",
    "checks": "Checks",
    "col_check": "Check",
    "col_status": "Result",
    "col_detail": "Detail",
    "check_another": "Check another file",
    "not_found": "No such certificate",
    "not_found_text": (
        "This ledger has issued no certificate {id}. Compare the id with the one printed "
        "on the certificate, or upload the file below to check it."
    ),
    "too_large": "File too large",
    "too_large_text": "The file is larger than 20 MB: no certificate or bundle is that large.",
    "no_file": "No file",
    "no_file_text": "Choose a file to upload (the form's field file).",
    "too_many": "Too many requests",
    "too_many_text": "Too many checks from your address: try again in {seconds} seconds.",
}

ZH: dict[str, str] = {
    "html_lang": "zh-CN",
    "other_lang": "en",
    "other_lang_name": "English",
    "title": "验证电子证据证书",
    "certificate": "证书 {id}",
    "issued_by": "由本账本签发",
    "log_origin": "账本标识（origin）",
    "issuer": "签发者",
    "issuer_unnamed": "未命名（未设置 LEDGER_ISSUER_NAME）",
    "dev_issuer": "开发用签发者：不可作为证据",
    "envelope": "信封编号",
    "state": "状态",
    "current": "现行：该信封证据的最新证书。",
    "superseded": "已被取代：该信封的更新证据已另行出具证书",
    "content_erased": (
        "内容已删除：该信封的个人数据已于 {date} 删除，本证书存储的 PDF 和证据包随之删除。"
        "下列编号和哈希值仍可识别它们；在别处保存的副本仍可据此核对。"
    ),
    "supersedes": "取代",
    "first_issued": "首次签发",
    "pades": "PAdES 级别",
    "level_note": "未达到更高级别的原因",
    "rests_on": "所依据的检查点",
    "checkpoint_text": "树大小 {size}，根哈希 {root}",
    "evidence_status": "证据状态",
    "anchored": "已锚定",
    "pending": "待锚定：尚无 RFC 3161 锚定覆盖",
    "anchors": "锚定（RFC 3161 时间戳）",
    "anchor_text": "{tsa}，时间 {time}，时间戳令牌 SHA-256 {sha}",
    "no_anchor": "尚无",
    "evidence_sha": "证据 SHA-256（证书编号所指）",
    "bundle_sha": "evidence-bundle.json 的 SHA-256",
    "editions": "版本",
    "ed_lang": "语言",
    "ed_tz": "时区",
    "ed_issued": "签发时间（UTC）",
    "ed_level": "PAdES 级别",
    "ed_sha": "PDF 的 SHA-256",
    "lang_en": "英文",
    "lang_zh": "中文",
    "utc_only": "仅 UTC",
    "upload": "检查文件",
    "upload_text": (
        "上传证书 PDF 或证据包（JSON），不超过 20 MB。系统按 ledger-verify pdf 与 "
        "ledger-verify bundle 的检查方式，使用本账本的验证密钥、时间戳服务机构根证书和签发者根证书"
        "进行检查，并与证书登记簿比对。文件不会被保存。"
    ),
    "choose": "文件",
    "verify": "验证",
    "offline": "如不愿信任本页面，可使用 ledger-verify 离线验证（docs/auditor-guide.md）。",
    "result": "结果",
    "valid": "有效",
    "invalid": "无效",
    "kind_pdf": "证书 PDF",
    "kind_bundle": "证据包",
    "file_kind": "文件",
    "file_sha": "文件的 SHA-256",
    "failed": "未通过的检查：{name}",
    "registered_pdf": "该 PDF 与本账本签发的文件完全一致：证书",
    "unregistered_pdf": "本账本未签发过具有此 SHA-256 的 PDF：该文件并非本账本签发，或已被改动。",
    "registered_bundle": "已为该证据出具证书：",
    "unregistered_bundle": "本账本未为该证据出具证书。",
    "claim": "检查所证明的内容",
    "checks": "检查项",
    "col_check": "检查",
    "col_status": "结果",
    "col_detail": "说明",
    "check_another": "检查其他文件",
    "not_found": "无此证书",
    "not_found_text": (
        "本账本未签发编号为 {id} 的证书。请与证书上印制的编号核对，或在下方上传文件进行检查。"
    ),
    "too_large": "文件过大",
    "too_large_text": "文件超过 20 MB：证书或证据包不会这么大。",
    "no_file": "未选择文件",
    "no_file_text": "请选择要上传的文件（表单字段 file）。",
    "too_many": "请求过多",
    "too_many_text": "来自您地址的检查过多：请在 {seconds} 秒后重试。",
}

# The checks of a PDF (reports.validation) and of an unreadable file, in Chinese; the
# bundle's checks are the certificate's own (reports.words.terms.CHECKS).
PDF_CHECKS_ZH: dict[str, str] = {
    "pdf signature": "PDF 签名",
    "pdf signer": "PDF 签名者",
    "pdf unmodified": "PDF 未被修改",
    "signature time-stamp": "签名时间戳",
    "document time-stamp": "文档时间戳",
    "validation data": "验证数据",
    "embedded bundle": "内嵌证据包",
    "readable": "可读取",
}

WORDS: dict[Lang, dict[str, str]] = {"en": EN, "zh": ZH}
for _lang, _words in WORDS.items():
    _words["not_public"] = TEXTS[_lang]["s_not_public"]
