"""The Chinese words of a certificate (``lang=zh``, 简体中文): the document's sentences.

One term for each concept, as the glossary of docs/certificate.md lists them (the log is
账本 everywhere). Identifiers stay as they are: environment variables, commands, field
names, ids. Section 8 and the appendices are in ``reports.words.zh_statements``; the
vocabularies in ``reports.words.terms``.
"""

from __future__ import annotations

from reports.words.zh_statements import STATEMENTS

WORDS: dict[str, str] = {
    "title": "电子证据证书",
    "subtitle": "在可验证、仅追加账本中保全的电子签名事件",
    "footer": "电子证据证书 {id}",
    "page": "第 {page} 页，共 {pages} 页",
    "dev_footer": "不得作为证据",
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
    "colon": "：",
    "paren": "（{text}）",
    "list_sep": "；",
    "none": "无",
    "erased": "内容已删除",
    "clipped": "…（另有 {n} 个字符，见所附证据包）",
    "list_more": "…… 另有 {n} 项，见所附证据包",
    "summary": "摘要",
    "s_id": "证书编号",
    "s_issued": "签发时间",
    "s_issuer": "签发者",
    "s_what": "事项",
    "s_what_text": "租户 {tenant} 的信封 {envelope}（{title}）：{events}，{documents}",
    "s_listing": "所列事件",
    "s_listing_text": (
        "第4节列出全部 {total} 个事件中的 {shown} 个；其余 {hidden} 个未在本证书页面中列出，"
        "但均连同其证明逐条包含在所附证据包中。"
    ),
    "n_events": "{n} 个事件",
    "n_event": "1 个事件",
    "n_documents": "{n} 份文件",
    "n_document": "1 份文件",
    "s_who": "参与方",
    "s_who_more": "…… 另有 {n} 方（见第2节）",
    "s_when": "时间",
    "s_when_platform": "平台时间：{first} 至 {last}",
    "s_when_ledger": "账本时间：{first} 至 {last}",
    "s_verdict": "验证结论",
    "s_flags": "时间存疑",
    "s_flags_text": (
        "全部 {total} 个事件中有 {n} 个的平台时间存疑（{kinds}），已在第4节相应事件旁注明。"
        "这些时间是平台报告的内容，按原样保存；账本时间不受影响。"
    ),
    "s_flags_none": "无：平台时间彼此一致，且与账本时钟一致（允许的时钟偏差为 {skew} 秒）。",
    "s_flags_kind_after_receipt": "{n} 个晚于账本接收时间",
    "s_flags_kind_out_of_order": "{n} 个顺序矛盾",
    "s_verify": "在线验证",
    "s_not_public": (
        "本账本实例不可公开访问（未设置 LEDGER_PUBLIC_URL）："
        "该地址仅在能访问签发者自身服务器的网络中可用。"
    ),
    "s_edition": "版本",
    "s_edition_text": "简体中文版（lang=zh）；英文版：lang=en",
    "s_zone": "时区",
    "s_zone_utc": "仅 UTC（未选择 tz=）",
    "s_zone_tz": "UTC 及 {tz}（tz={tz}）",
    "s_pades": "PDF 签名",
    "verdict_valid": "有效",
    "verdict_invalid": "无效",
    "verdict_pending": "待锚定（目前有效，尚未经时间戳锚定）",
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
    "sub_titles_other": "其他报告的标题",
    "sub_tenant": "租户（发送事件的平台账户）",
    "sub_log": "账本",
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
    "d_named": "平台仅报告名称、未报告哈希的文件（data.document_names）：{names}",
    "h_process": "3  事件的收集与保全",
    "pr_channels": "接入渠道",
    "c_channel": "接入渠道",
    "c_auth": "渠道认证方式",
    "c_events": "事件数",
    "pr_channel_note": (
        "api：平台以租户的写入密钥（api-key）调用 POST /v1/events。平台名称（docusign、"
        "adobesign、esign、esignglobal、documenso、docuseal、opensign）：平台的回调"
        "通知，以平台自身的方式认证：hmac（已验证的消息体 HMAC 签名）、shared-secret"
        "（平台随每次投递发送的共享密钥）或 client-id-echo"
        "（平台回显我方的客户端标识：仅凭客户端标识认证，弱于签名）。每次投递原始消息体的 "
        "SHA-256 均保存在其叶子中。"
    ),
    "auth_api-key": "API 密钥",
    "auth_hmac": "已验证的 HMAC 签名",
    "auth_shared-secret": "共享密钥",
    "auth_client-id-echo": "仅凭客户端标识认证（弱于签名）",
    "pr_preserve": "保全方式",
    "pr_preserve_text": (
        "每个被接受的事件都以新生成的 32 字节盐值作承诺，即 SHA-256(盐值 ‖ JCS(事件))"
        "（RFC 8785 规范化 JSON），写入一个同时记录账本时间、租户和接入渠道的叶子。叶子被追加到"
        "仅追加的默克尔树（RFC 9162）和哈希链中。账本对其树的检查点签名（C2SP 签名便笺，"
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
    "pr_plausible": "平台时间的合理性",
    "pr_plausible_text": (
        "平台时间比账本接收时间晚 24 小时以上，或早于 1990-01-01 的事件，账本予以拒绝。平台时间比"
        "接收时间晚 {skew} 秒（允许的时钟偏差）以上，或同一信封各事件的平台时间彼此矛盾（信封发送"
        "之前即有操作、签署人签署之前信封即已完成、完成之后仍有操作）的事件，账本予以接受，并在该"
        "事件旁注明。"
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
    "ev_intro_some": (
        "信封共有 {n} 个事件；此处按账本接收顺序列出其中 {shown} 个：最前 {head} 个、最后 {tail} "
        "个，以及所有时间存疑或检查失败的事件。其余 {hidden} 个未在本证书页面中列出，均包含在所附"
        "证据包中。P：平台时间（平台报告）；L：账本时间（接收）。"
    ),
    "ev_gap": "序号 {first} 至 {last}：共 {n} 个事件未在此列出（见所附证据包）",
    "e_seq": "序号",
    "e_time": "时间（UTC）",
    "e_time_tz": "时间（UTC；其下为 {tz}）",
    "e_event": "事件",
    "e_actor": "行为人（姓名、邮箱/电话、角色）",
    "e_net": "IP 地址 / 用户代理",
    "e_source": "接入渠道 / 渠道认证",
    "e_auth_method": "身份认证：{method}",
    "e_ip_none": "未发送 IP 或用户代理",
    "flag": "时间存疑：{text}。",
    "flag_after_receipt": (
        "平台时间比账本接收该事件的时间晚 {duration}，超过允许的时钟偏差 {skew} 秒：平台的时钟或"
        "其报告有误"
    ),
    "flag_before_sent": "平台时间早于信封发送时间（序号 {other}）",
    "flag_completed_before_signed": "信封在一位签署人签署之前即已完成（序号 {other}）",
    "flag_after_completed": "平台时间晚于信封完成时间（序号 {other}）",
    "dur_hm": "{h} 小时 {m} 分钟",
    "dur_ms": "{m} 分钟 {s} 秒",
    "dur_s": "{s} 秒",
    "f_title": "标题：{value}",
    "f_signature_type": "签名类型：{value}",
    "f_reason": "{label}：{value}",
    "f_reason_decline_reason": "拒签理由",
    "f_reason_void_reason": "作废理由",
    "f_reason_expiry_reason": "过期理由",
    "f_reason_other": "理由（{field}）",
    "f_documents": "文件：{value}",
    "f_document": "{name}（{size} 字节，SHA-256 {sha}…）",
    "f_document_names": "所列文件名称：{value}",
    "f_recipient_times": "平台报告的该收件人时间：{value}",
    "f_generated": "平台生成本次投递的时间：{value}",
    "f_source": "平台时间取自平台字段 {field}",
    "f_recipients": "报告了全部收件人：{n} 位（见第5节）",
    "h_signers": "5  签署人、同意与拒签",
    "sg_signers": "签署人及其身份认证",
    "sg_name": "签署人",
    "sg_contact": "邮箱 / 电话",
    "sg_auth": "身份认证方式",
    "sg_sigtype": "签名类型",
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
    "sg_recipients": "平台报告的收件人",
    "sg_recipients_text": (
        "取自{reports}的 data.recipients：各次报告不一致之处，以最新一次为准；每次报告均在所附"
        "证据包中。"
    ),
    "sg_recipients_none": "没有事件报告信封的收件人列表（data.recipients）。",
    "r_name": "收件人",
    "r_contact": "邮箱 / 电话",
    "r_role": "角色",
    "r_auth": "身份认证",
    "r_status": "状态",
    "r_times": "平台报告的时间",
    "r_reports_one": "序号 {seqs} 事件",
    "r_reports_many": "{n} 个事件（序号 {seqs}）",
    "h_proofs": "6  密码学证明",
    "pf_entries": "条目：叶子哈希与哈希链值",
    "pf_intro": (
        "每个条目：其在账本中的位置（序号）、叶子哈希 SHA-256(0x00 ‖ 叶子) 及哈希链值 "
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
    "pf_key": "账本公钥（验证密钥）",
    "pf_key_name": "密钥名称 {name}，密钥标识 {id}（Ed25519）",
    "pf_consistency": "与最新检查点的一致性",
    "pf_consistency_text": (
        "当前账本（树大小 {new}）是已锚定检查点（树大小 {old}）的延伸：RFC 9162 一致性证明共 "
        "{n} 个哈希（附录A）。最新检查点："
    ),
    "pf_consistency_none": "已锚定检查点即账本最新检查点，无需一致性证明。",
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
    "a_chain": "数字证书链",
    "a_valid_until": "时间戳服务机构数字证书有效期至",
    "a_unverified": "该时间戳无法验证：{reason}",
    "a_dev": "开发用时间戳服务——不得作为证据",
    "h_verification": "7  验证",
    "v_result": "签发时的验证结果",
    "v_result_text": (
        "签发者于 {time} 使用 ledger-verify 的代码（verify_bundle）、账本验证密钥和已配置的"
        "时间戳服务机构根证书进行验证：{verdict}。"
    ),
    "v_check": "检查项",
    "v_scope": "范围",
    "v_status": "结果",
    "v_detail": "说明",
    "v_scope_bundle": "证据包",
    "v_scope_entries": "{n} 个条目",
    "chk_leaf": "每个叶子均为规范形式，并载明本账本、信封和租户",
    "chk_commitment": "每个事件均为其叶子所承诺的事件（加盐 SHA-256）",
    "chk_chain": "每个链值均由前一链值和叶子哈希得出",
    "chk_inclusion": "每个条目均在已锚定的树中（RFC 9162 包含证明）",
    "chk_format": "每个条目格式正确",
    "v_failed_at": "序号 {seq}：{detail}",
    "v_count": "{n} 项{status}",
    "v_original": "（英文原文）{text}",
    "v_expected": "（应为 {expected}，实为 {actual}）",
    "v_all_checks": "附录B 逐项列出全部检查（共 {n} 项）。",
    "v_howto": "如何自行验证本证书",
    "v_howto_tools": (
        "请从运营者处（服务在 /v1/log/key 和 /v1/log/tsa-roots 公布）而非从本 PDF 获取账本验证"
        "密钥和时间戳服务机构根证书，并获取签发者的 CA 根证书以验证 PDF 签名。"
    ),
    "v_howto_ledger": (
        "使用 ledger-verify。在 Evidence Ledger 仓库的检出目录中，pip install ./dist-verifier "
        "单独安装验证器（或 pip install 运营者提供的 "
        "evidence_ledger_verify-<版本>-py3-none-any.whl）；其 pdf 命令随服务包提供："
        "pip install .（docs/auditor-guide.md）："
    ),
    "v_howto_openssl": "仅使用 openssl，对任一条目：",
    "v_step_pdf": (
        "ledger-verify pdf certificate.pdf --log-key '<验证密钥>' --tsa-root tsa-root.pem "
        "--issuer-root issuer-ca.pem（服务包）——检查本 PDF 的签名和时间戳，提取证据包并验证其中"
        "每个证明。"
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
}
WORDS.update(STATEMENTS)
