"""Every fact a platform reports and every finding about its times, on the certificate.

The envelope of ``append_facts`` (tests/reports/flow.py) carries each fact of
docs/evidence-format.md "Facts the platforms report" and each rule of
``verifier.plausibility``; both editions, issued by the API, are read back with pdftotext.
"""

from __future__ import annotations

import re

import pytest

from tests.reports.conftest import dense, flat
from tests.reports.flow import (
    CC,
    DOCUMENT_NAMES,
    FACTS_DECLINE,
    FACTS_TITLE,
    FACTS_VOID,
    SIGNATURE_TYPE,
    ZHAO,
)


@pytest.fixture(scope="module")
def en(facts_texts: dict[str, str]) -> str:
    return flat(facts_texts["en"])


@pytest.fixture(scope="module")
def zh(facts_texts: dict[str, str]) -> str:
    return dense(facts_texts["zh"])


def test_each_flag_beside_its_event_in_plain_words(en: str, zh: str) -> None:
    for english, chinese in (
        (
            "Time finding: the platform time is before the envelope was sent (seq 1).",
            "时间存疑：平台时间早于信封发送时间（序号1）。",
        ),
        (
            "Time finding: the envelope was completed before a signer signed (seq 3).",
            "时间存疑：信封在一位签署人签署之前即已完成（序号3）。",
        ),
        (
            "Time finding: the platform time is after the envelope was completed (seq 4).",
            "时间存疑：平台时间晚于信封完成时间（序号4）。",
        ),
    ):
        assert english in en
        assert chinese in zh
    after = re.search(
        r"Time finding: the platform time is (1 h 59 min|2 h 0 min) after the ledger received "
        r"the event, more than the allowed clock skew of 300 s: the platform's clock or its "
        r"report is wrong\.",
        en,
    )
    assert after is not None
    assert re.search(
        r"时间存疑：平台时间比账本接收该事件的时间晚(1小时59分钟|2小时0分钟)，超过", zh
    )
    # beside the event: the finding follows its row, before the next event's row
    row_2, row_3 = en.index("2 P 20"), en.index("3 P 20")
    assert row_2 < en.index("before the envelope was sent (seq 1)", row_2) < row_3


def test_summary_counts_the_findings_with_a_short_explanation(en: str, zh: str) -> None:
    assert (
        "Time findings 5 of the 8 events carry a finding about the platform's times "
        "(1 later than the ledger received the event; 5 out of order), shown beside the "
        "event in section 4. Such times are what the platform reported" in en
    )
    assert "全部8个事件中有5个的平台时间存疑（1个晚于账本接收时间；5个顺序矛盾）" in zh


def test_no_findings_says_so(texts: dict[str, str]) -> None:
    assert "Time findings None: the platform's times agree with each other" in flat(texts["en"])
    assert "时间存疑无：平台时间彼此一致" in dense(texts["zh"])


def test_every_fact_is_shown(en: str, zh: str) -> None:
    assert f"Title {FACTS_TITLE}" in en  # data.title
    assert "Also reported as 劳动合同（2026）" in en  # Adobe's resource_name
    assert "auth: SMS OTP" in en  # actor.auth_method
    assert "198.51.100.23 Mozilla/5.0 (iPhone;" in en  # actor.ip, actor.user_agent
    assert f"Signature type: {SIGNATURE_TYPE}" in en
    assert f"Decline reason: {FACTS_DECLINE}" in en
    assert f"Void reason: {FACTS_VOID}" in en
    assert "Documents: purchase-7.pdf (1234 bytes, SHA-256 fb58d59ac4d5ab7e…)" in en
    assert f"Documents named: {', '.join(DOCUMENT_NAMES)}" in en
    assert re.search(
        r"The recipient's times, as the platform reported them: sent \S+ \S+ UTC; delivered "
        r"\S+ \S+ UTC; viewed \S+ \S+ UTC; authenticated \S+ \S+ UTC; signed",
        en,
    )
    assert re.search(r"The platform generated this delivery at \S+ \S+ UTC", en)
    assert "Platform time taken from the platform's field createdDate" in en
    assert "Reports every recipient: 2 (section 5)" in en
    for chinese in (
        dense(FACTS_TITLE),
        "其他报告的标题劳动合同（2026）",
        "身份认证：短信验证码（SMSOTP）",
        f"签名类型：{SIGNATURE_TYPE}",
        f"拒签理由：{dense(FACTS_DECLINE)}",
        f"作废理由：{dense(FACTS_VOID)}",
        "所列文件名称：" + dense(DOCUMENT_NAMES[0]),
        "平台报告的该收件人时间：发送",
        "平台生成本次投递的时间：",
        "平台时间取自平台字段createdDate",
        "报告了全部收件人：2位（见第5节）",
    ):
        assert chinese in zh, chinese


def test_recipients_as_the_platform_reported_them(en: str, zh: str) -> None:
    # DocuSign's report (seq 4) and Adobe's (seq 7) both list the recipients.
    assert (
        "Recipients as the platform reported them From data.recipients of 2 events (seq 4, 7)" in en
    )
    table = en[en.index("Times reported (platform)") :]
    assert f"{ZHAO['name']} {ZHAO['email']} signer SMS OTP completed" in table
    assert f"{CC['name']} {CC['email']} carbonCopy" in table
    assert re.search(r"delivered \S+ \S+ UTC", table)
    assert "平台报告的收件人取自2个事件（序号4,7）的data.recipients" in zh
    assert "抄送人（carbonCopy）" in zh
    assert "已完成" in zh[zh.index("平台报告的收件人") :]  # status completed: our own word


def test_signers_show_signature_type(en: str) -> None:
    signers = en[en.index("Signers and their authentication") :]
    assert f"{ZHAO['name']} {ZHAO['email']} SMS OTP {SIGNATURE_TYPE}" in signers


def test_not_reported_only_where_no_event_carried_the_fact(en: str, zh: str) -> None:
    assert "Title not reported" not in en  # the title was reported
    # The one actor no event reported an authentication method for: the Adobe
    # notification names 赵敏 by her e-mail address alone (it reports her signature type).
    signers = en[en.index("Signers and their authentication") : en.index("Recipients as")]
    row = f"{ZHAO['email']} not reported by the platform ESIGN not signed"
    assert row in signers
    assert en.count("not reported by the platform") == 1
    assert (
        zh[zh.index("签署人及其身份认证") : zh.index("平台报告的收件人")].count("平台未报告") == 1
    )


def test_client_id_echo_reads_as_weaker_than_a_signature(en: str, zh: str) -> None:
    assert (
        "adobesign client-id-echo: authenticated by client id only (weaker than a signature) 1"
        in en
    )
    assert "client-id-echo:仅凭客户端标识认证（弱于签名）1" in zh
