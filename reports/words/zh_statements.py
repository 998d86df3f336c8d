"""The Chinese words of section 8 (the statements: declaration, retention, scope,
the PDF's signature, long-term validity, this edition) and of the appendices: the legal
texts of a certificate, kept apart from the rest of ``reports.words.zh``."""

from __future__ import annotations

STATEMENTS: dict[str, str] = {
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
        "保存内容：每个叶子、哈希链值、默克尔树节点、已签名检查点和 RFC 3161 时间戳，在账本存续"
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
        "本 PDF 由签发者以 PAdES（ETSI EN 319 142-1）B-LTA 级签署：签发者数字证书的 CAdES 分离式"
        "签名（{algorithm}，SHA-256），来自 {tsa} 的签名时间戳和覆盖整个文件的文档时间戳，以及"
        "存放于文档安全存储（DSS）中的验证数据：签发者和时间戳服务机构的数字证书链，及其根证书以下"
        "每一张数字证书的吊销数据（CRL 或 OCSP 响应），使签名在数字证书过期后仍可验证。"
    ),
    "st_pades_t": (
        "本 PDF 由签发者以 PAdES（ETSI EN 319 142-1）B-T 级签署：签发者数字证书的 CAdES 分离式"
        "签名（{algorithm}，SHA-256）和来自 {tsa} 的签名时间戳。{why}因此本 PDF 不含长期验证数据"
        "（B-LT），也不含文档时间戳（B-LTA）：验证者须自行核查数字证书的吊销状态。"
    ),
    "st_pades_no_revocation": "未能取得 B-LT 所需的吊销数据（{reason}）。",
    "st_pades_b": (
        "本 PDF 由签发者以 PAdES（ETSI EN 319 142-1）B-B 级签署：签发者数字证书的 CAdES 分离式"
        "签名"
        "（{algorithm}，SHA-256）。{why}因此本 PDF 不含时间戳和长期验证数据：其签署时间仅为签发者"
        "自己的陈述。"
    ),
    "st_pades_no_tsa": "未配置时间戳服务机构。",
    "st_pades_tsa_failed": "时间戳服务机构不可用（{reason}）。",
    "st_pades_level": "达到的 PAdES 级别：{level}",
    "st_signer": "签名数字证书",
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
        "续期计划：在时间戳服务机构数字证书到期（{tsa_end}）或上述任一算法强度减弱之前，运营者以当时有效的"
        "时间戳服务和算法对已锚定检查点重新加盖时间戳；如哈希算法本身须更换，则新建账本并以续期记录"
        "与本账本相链接，方式参照 RFC 4998（证据记录语法）：每次续期都对之前的证据加盖时间戳，使整"
        "条"
        "证据链始终可验证。本 PDF 以同样方式续期：在最后一个文档时间戳的数字证书到期前加盖新的文档"
        "时间"
        "戳"
        "（PAdES B-LTA）。"
    ),
    "st_edition": "关于本版本",
    "st_edition_text": (
        "本版本为简体中文版；同一证据的英文版以 lang=en 签发。每页均载明证书编号"
        "和页码。全部文字使用嵌入的文泉驿微米黑字体，因此中文姓名（如张三）在任何阅读器中都能正确"
        "显示。"
    ),
    "h_appendix_a": "附录A  包含证明与一致性证明",
    "ap_a_intro": "哈希按使用顺序列出（RFC 9162 §2.1.3.2 和 §2.1.4.2），以 8 位十六进制数字分组。",
    "ap_a_entry": "序号 {seq}：至树大小 {size} 的包含证明，{n} 个哈希",
    "ap_a_empty": "（空：树只有一个叶子）",
    "ap_a_consistency": "从树大小 {old} 到 {new} 的一致性证明，{n} 个哈希",
    "ap_a_not_listed": "第4节未列出的 {n} 个条目的包含证明见所附证据包。",
    "h_appendix_b": "附录B  逐项验证结果",
    "ap_b_intro": (
        "verify_bundle 于 {time} 的报告；说明译自 ledger-verify 的英文输出，无译文之处照录"
        "英文原文并注明。"
    ),
    "b_no": "#",
    "ap_b_not_listed": (
        "第4节未列出的条目的 {n} 项检查（{counts}）不在此列出；对所附证据包运行 ledger-verify "
        "bundle 可逐项查看。"
    ),
}
