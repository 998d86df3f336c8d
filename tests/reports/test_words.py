"""The verifier's English in the Chinese edition (reports/words/reasons.py): every reason a
valid bundle gives and the usual failures are translated; an unknown one is kept in
English and marked; the bottom line is Chinese in every verdict."""

from __future__ import annotations

from reports.texts import Texts
from verifier.plausibility import AFTER_RECEIPT, OUT_OF_ORDER, Flag
from verifier.report import Check, VerificationReport

ZH = Texts("zh")
CLAIM = (
    "20 entries (seq 0 to 19) of envelope ENV-1 are in log example.org/log at size 21, "
    "anchored by 1 TSA (development TSA, not for evidence) at 2026-12-07T05:11:00Z; the log "
    "at size 22 extends it"
)


def test_the_chinese_edition_translates_every_reason_of_a_valid_report(
    texts: dict[str, str],
) -> None:
    assert "英文原文" not in texts["zh"]
    assert "trusted key" not in texts["zh"]


def test_failures_are_translated() -> None:
    for name, reason, chinese in (
        ("chain", "chain is not HASH(0x02 || prev_chain || leaf hash)", "链值不等于"),
        ("leaf", "leaf_hash is not the hash of the leaf", "不是该叶子的哈希"),
        ("commitment", "event type differs from the leaf's", "事件的 type 与叶子中的不一致"),
        ("inclusion", "calculated root ab12 does not match expected root cd34", "计算得出的值"),
        ("checkpoint signature", "the checkpoint is of another log", "另一个账本"),
        (
            "anchor covers checkpoint",
            "anchor 1: the token time-stamps another text, not this checkpoint",
            "而非本检查点",
        ),
        ("format", "entries are not in strictly increasing seq order: 3 follows 4", "严格递增"),
        ("chain", "prev_chain is not 32 lowercase hex digits", "不是 32 位小写十六进制数字"),
    ):
        check = Check(name, "fail", 3, reason, "x", "y")
        detail = ZH.detail(check)
        assert chinese in detail, detail
        assert detail.endswith("（应为 x，实为 y）")
        assert "英文原文" not in detail


def test_an_unknown_reason_is_kept_in_english_and_marked() -> None:
    check = Check("chain", "fail", 1, "a reason no pattern knows")
    assert ZH.detail(check) == "（英文原文）a reason no pattern knows"
    assert Texts("en").detail(check) == "a reason no pattern knows"


def test_the_bottom_line_is_chinese_in_every_verdict() -> None:
    valid = VerificationReport((Check("chain", "pass", 0, "chain ab"),), "envelope ENV-1", CLAIM)
    assert ZH.bottom_line(valid) == (
        "有效：信封 ENV-1 的 20 个条目（序号 0 至 19）在账本 example.org/log 中，树大小 21，由 1 个"
        "时间戳服务机构（开发用时间戳服务，不得作为证据）于 2026-12-07T05:11:00Z 锚定；树大小 22 "
        "的账本是其延伸"
    )
    pending = VerificationReport(
        (Check("anchor token", "pending", None, "not yet anchored by a time-stamping authority"),),
        "envelope ENV-1",
        "1 entry (seq 4) of envelope ENV-1 are in log example.org/log at size 5",
    )
    assert ZH.bottom_line(pending) == (
        "待锚定：信封 ENV-1 的 1 个条目（序号 4）在账本 example.org/log 中，树大小 5；"
        "尚未经时间戳服务机构锚定"
    )
    invalid = VerificationReport(
        (
            Check("chain", "fail", 7, "chain is not HASH(0x02 || prev_chain || leaf hash)"),
            Check("inclusion", "fail", 7, "something else"),
        ),
        "envelope ENV-1",
    )
    assert ZH.bottom_line(invalid) == (
        "无效：哈希链（chain）（序号 7）：链值不等于 HASH(0x02 || prev_chain || 叶子哈希)"
        "（另有 1 项失败）"
    )


def test_time_warnings_are_translated_and_counted_in_the_bottom_line() -> None:
    flags = [
        Flag(2, AFTER_RECEIPT, "after_receipt", seconds=7 * 3600 + 45 * 60),
        Flag(3, AFTER_RECEIPT, "after_receipt", seconds=12 * 60 + 3),
        Flag(4, AFTER_RECEIPT, "after_receipt", seconds=45),
        Flag(5, OUT_OF_ORDER, "before_sent", other=1),
        Flag(6, OUT_OF_ORDER, "completed_before_signed", other=8),
        Flag(8, OUT_OF_ORDER, "after_completed", other=6),
    ]
    warnings = [Check("time plausibility", "warning", f.seq, f.describe()) for f in flags]
    details = [ZH.detail(w) for w in warnings]
    assert details[0].startswith("平台时间比账本接收该事件的时间晚 7 小时 45 分钟")
    assert "12 分 3 秒" in details[1]
    assert "45 秒" in details[2]
    assert details[3:] == [
        "平台时间早于信封发送时间（序号 1）",
        "信封在一位签署人签署之前即已完成（序号 8）",
        "平台时间晚于信封完成时间（序号 6）",
    ]
    report = VerificationReport(
        (Check("chain", "pass", 0, "chain ab"), *warnings), "envelope ENV-1", CLAIM
    )
    assert report.valid
    bottom = ZH.bottom_line(report)
    assert bottom.startswith("有效：")
    assert bottom.endswith(
        "；6 项警示，第一项：时间合理性（序号 2）："
        "平台时间比账本接收该事件的时间晚 7 小时 45 分钟：平台的时钟或其报告有误"
    )
    assert "warning" not in bottom
