"""The verifier's words in Chinese: check reasons and the bottom line of a report.

``verifier`` reports in English (what ``ledger-verify`` prints). The Chinese edition
translates every reason whose pattern is known here, keyed by check name (the patterns
follow verifier/bundle.py, verifier/entry.py, verifier/anchors.py, verifier/merkle.py,
verifier/checkpoint.py, verifier/ijson.py and verifier/leaf.py); ``translate`` answers
None for any other, and the edition then shows the English original, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reports.words.terms import CHECKS
from verifier.report import VerificationReport

_Rule = tuple[re.Pattern[str], str]


def _rules(*pairs: tuple[str, str]) -> tuple[_Rule, ...]:
    return tuple((re.compile(pattern, re.DOTALL), zh) for pattern, zh in pairs)


_ANY = _rules(
    (r"(?P<w>.+) is not (?P<n>\d+) lowercase hex digits", "{w} 不是 {n} 位小写十六进制数字"),
    (r"(?P<w>.+) is not a base64 string", "{w} 不是 base64 字符串"),
    (r"(?P<w>.+) is not valid base64", "{w} 不是有效的 base64"),
    (r"(?P<w>.+) is not canonical base64 \(unused bits set\)", "{w} 不是规范的 base64"),
    (r"(?P<w>.+) is not a string", "{w} 不是字符串"),
    (r"(?P<w>.+) is not an RFC 3339 time", "{w} 不是 RFC 3339 时间"),
    (r"(?P<w>.+) has no UTC offset", "{w} 没有 UTC 偏移"),
    (r"(?P<w>.+) has unknown fields (?P<f>.+)", "{w} 含有未知字段 {f}"),
    (r"(?P<w>.+) is not a list of hashes", "{w} 不是哈希列表"),
    (r"the leaf could not be read", "无法读取叶子"),
    (r"the checkpoint could not be read", "无法读取检查点"),
    (
        r"calculated (?P<w>root|hash) (?P<a>[0-9a-f]+) does not match expected "
        r"(?P=w) (?P<b>[0-9a-f]+)",
        "计算得出的值 {a} 与预期的值 {b} 不一致",
    ),
)

_BY_CHECK: dict[str, tuple[_Rule, ...]] = {
    "format": _rules(
        (
            r"evidence-bundle/1 of (?P<n>\d+) (?:entry|entries), (?P<k>\d+) anchors?",
            "evidence-bundle/1，{n} 个条目，{k} 个锚定",
        ),
        (r"the bundle has no entries: it is evidence of nothing", "证据包没有条目，不能证明任何事"),
        (r"entries\[(?P<i>\d+)\] is not an object", "entries[{i}] 不是对象"),
        (r"entries\[(?P<i>\d+)\] has no valid seq", "entries[{i}] 没有有效的序号"),
        (
            r"entries are not in strictly increasing seq order: (?P<a>\d+) follows (?P<b>\d+)",
            "条目未按序号严格递增排列：{a} 排在 {b} 之后",
        ),
    ),
    "key known": _rules(
        (
            r"trusted key (?P<k>\S+) is among the bundle's and signed the checkpoint",
            "受信任的密钥 {k} 在证据包所列密钥之中，并签署了检查点",
        ),
        (
            r"none of the trusted log keys is among the bundle's keys",
            "受信任的账本密钥均不在证据包中",
        ),
        (
            r"no trusted key among the bundle's keys signed the checkpoint",
            "证据包所列密钥中没有受信任的密钥签署检查点",
        ),
        (r"log\.vkey is not among log\.vkeys", "log.vkey 不在 log.vkeys 之中"),
    ),
    "checkpoint signature": _rules(
        (
            r"checkpoint of (?P<o>.+) at size (?P<n>\d+) signed by a trusted key",
            "账本 {o} 树大小 {n} 的检查点，由受信任的密钥签署",
        ),
        (r"the checkpoint is of another log", "该检查点属于另一个账本"),
        (
            r"the signature by (?P<s>.+) does not verify \(text or signature changed\)",
            "{s} 的签名无法验证（文本或签名已被更改）",
        ),
        (r"no signature by a trusted key: .*", "没有受信任密钥的签名"),
    ),
    "leaf": _rules(
        (
            r"leaf of (?P<t>\S+) (?P<id>.+), leaf hash (?P<h>[0-9a-f]+)",
            "{t} {id} 的叶子，叶子哈希 {h}",
        ),
        (r"leaf_hash is not the hash of the leaf", "leaf_hash 不是该叶子的哈希"),
        (r"the leaf's (?P<w>\S+) is not the bundle's", "叶子的 {w} 与证据包的不一致"),
    ),
    "commitment": _rules(
        (
            r"the event is the one the leaf commits to \((?P<c>[0-9a-f]+)\)",
            "该事件即叶子所承诺的事件（{c}）",
        ),
        (r"content erased", "内容已删除"),
        (r"event (?P<k>\S+) differs from the leaf's", "事件的 {k} 与叶子中的不一致"),
        (
            r"HASH\(salt \|\| JCS\(event\)\) differs from the leaf's commitment",
            "HASH(salt || JCS(event)) 与叶子的承诺不一致",
        ),
        (r"the entry has no event or no salt.*", "条目缺少事件或盐值（删除时两者均为 null）"),
        (r"event and salt must both be present.*", "事件和盐值必须同时存在，删除时同时为 null"),
    ),
    "chain": _rules(
        (r"chain (?P<h>[0-9a-f]+)", "链值 {h}"),
        (r"prev_chain of seq 0 must be zeros", "序号 0 的 prev_chain 必须全为零"),
        (
            r"prev_chain is not the chain of seq (?P<s>\d+) in this bundle",
            "prev_chain 不是本证据包中序号 {s} 的链值",
        ),
        (
            r"chain is not HASH\(0x02 \|\| prev_chain \|\| leaf hash\)",
            "链值不等于 HASH(0x02 || prev_chain || 叶子哈希)",
        ),
    ),
    "inclusion": _rules(
        (r"in the tree of size (?P<n>\d+)", "在树大小 {n} 的树中"),
        (
            r"in the tree of size (?P<n>\d+) \(the checkpoint is not trusted\)",
            "在树大小 {n} 的树中（检查点不受信任）",
        ),
        (
            r"inclusion proof for index (?P<i>\d+) in a tree of size (?P<n>\d+) has (?P<h>\d+) "
            r"hashes, expected (?P<e>\d+)",
            "树大小 {n} 中序号 {i} 的包含证明有 {h} 个哈希，应为 {e} 个",
        ),
    ),
    "anchor token": _rules(
        (
            r"anchor (?P<n>\d+): token by (?P<tsa>.+) at (?P<t>\S+); development TSA, not for "
            r"evidence",
            "锚定 {n}：{tsa} 于 {t} 签发的时间戳；开发用时间戳服务，不得作为证据",
        ),
        (
            r"anchor (?P<n>\d+): token by (?P<tsa>.+) at (?P<t>\S+)",
            "锚定 {n}：{tsa} 于 {t} 签发的时间戳",
        ),
        (r"not yet anchored by a time-stamping authority", "尚未经时间戳服务机构锚定"),
        (r"the bundle says anchored but has no anchors", "证据包声明已锚定，却不含锚定"),
        (
            r"anchor (?P<n>\d+): no TSA trust roots were given, so no token can be trusted",
            "锚定 {n}：未提供时间戳服务机构根证书，任何时间戳都无法信任",
        ),
        (
            r"anchor (?P<n>\d+): gen_time is not the token's genTime",
            "锚定 {n}：gen_time 与时间戳的 genTime 不一致",
        ),
        (r"anchor (?P<n>\d+) is not an object", "锚定 {n} 不是对象"),
    ),
    "anchor covers checkpoint": _rules(
        (
            r"anchor (?P<n>\d+): imprint is SHA-256 of the checkpoint's signed text",
            "锚定 {n}：时间戳的摘要为检查点签名文本的 SHA-256",
        ),
        (
            r"anchor (?P<n>\d+): the token time-stamps another text, not this checkpoint",
            "锚定 {n}：该时间戳所证明的是另一文本，而非本检查点",
        ),
        (r"not yet anchored by a time-stamping authority", "尚未经时间戳服务机构锚定"),
        (r"anchor (?P<n>\d+) is not an object", "锚定 {n} 不是对象"),
        (r"anchor (?P<n>\d+): the token cannot be read", "锚定 {n}：无法读取时间戳"),
        (r"the checkpoint has no signed text", "检查点没有签名文本"),
    ),
    "consistency to latest": _rules(
        (
            r"the log at size (?P<a>\d+) extends the checkpoint at size (?P<b>\d+)",
            "树大小 {a} 的账本是树大小 {b} 的检查点的延伸",
        ),
        (r"the bundle has no newer checkpoint", "证据包中没有更新的检查点"),
        (r"latest\.checkpoint is not a signed note", "latest.checkpoint 不是签名便笺"),
        (r"the latest checkpoint is of another log", "最新检查点属于另一个账本"),
        (r"the latest checkpoint is smaller than the anchored one", "最新检查点小于已锚定的检查点"),
    ),
    # verifier.plausibility.Flag.describe(), reported as warnings
    "time plausibility": _rules(
        *(
            (
                rf"the platform time is {duration} after the ledger received the event: "
                r"the platform's clock or its report is wrong",
                f"平台时间比账本接收该事件的时间晚 {zh}：平台的时钟或其报告有误",
            )
            for duration, zh in (
                (r"(?P<h>\d+) h (?P<m>\d+) min", "{h} 小时 {m} 分钟"),
                (r"(?P<m>\d+) min (?P<s>\d+) s", "{m} 分 {s} 秒"),
                (r"(?P<s>\d+) s", "{s} 秒"),
            )
        ),
        (
            r"the platform time is before the envelope was sent \(seq (?P<n>\d+)\)",
            "平台时间早于信封发送时间（序号 {n}）",
        ),
        (
            r"the envelope was completed before a signer signed \(seq (?P<n>\d+)\)",
            "信封在一位签署人签署之前即已完成（序号 {n}）",
        ),
        (
            r"the platform time is after the envelope was completed \(seq (?P<n>\d+)\)",
            "平台时间晚于信封完成时间（序号 {n}）",
        ),
    ),
}

_CLAIM = re.compile(
    r"(?P<n>\d+) (?:entry|entries)(?: \(seq (?P<a>\d+)(?: to (?P<b>\d+))?\))? of envelope "
    r"(?P<env>.+) are in log (?P<log>.+?) at size (?P<size>\S+?)"
    r"(?:, anchored by (?P<k>\d+) TSAs?(?P<dev> \(development TSA, not for evidence\))? at "
    r"(?P<at>\S+?))?(?:; the log at size (?P<latest>\d+) extends it)?",
    re.DOTALL,
)


def translate(check: str, reason: str) -> str | None:
    """The Chinese of a check's reason, or None where no pattern is known."""
    for pattern, zh in (*_BY_CHECK.get(check, ()), *_ANY):
        match = pattern.fullmatch(reason)
        if match is not None:
            return zh.format(**match.groupdict())
    return None


def claim(text: str) -> str | None:
    """The Chinese of a report's claim (what a valid bundle proves), or None."""
    match = _CLAIM.fullmatch(text)
    if match is None:
        return None
    g = match.groupdict()
    seqs = f"（序号 {g['a']} 至 {g['b']}）" if g["b"] else f"（序号 {g['a']}）" if g["a"] else ""
    zh = f"信封 {g['env']} 的 {g['n']} 个条目{seqs}在账本 {g['log']} 中，树大小 {g['size']}"
    if g["k"]:
        dev = "（开发用时间戳服务，不得作为证据）" if g["dev"] else ""
        zh += f"，由 {g['k']} 个时间戳服务机构{dev}于 {g['at']} 锚定"
    if g["latest"]:
        zh += f"；树大小 {g['latest']} 的账本是其延伸"
    return zh


def bottom_line(report: VerificationReport, reason: str, check: str, original: str) -> str:
    """The report's bottom line in Chinese: ``reason``, ``check`` and ``original`` are
    the edition's words for the first failure's reason and check, and for an English
    original shown as it is."""
    failures = report.failures
    if failures:
        first = failures[0]
        where = f"（序号 {first.seq}）" if first.seq is not None else ""
        more = f"（另有 {len(failures) - 1} 项失败）" if len(failures) > 1 else ""
        return f"无效：{check}{where}：{reason}{more}"
    said = claim(report.claim) if report.claim else None
    text = said if said is not None else original.format(text=report.claim or report.subject)
    erased = report.count("erased")
    if erased:
        text += f"；{erased} 个条目的内容已删除"
    text += _warned(report, original)
    if report.pending:
        reasons = dict.fromkeys(c.reason for c in report.checks if c.status == "pending")
        text += "；" + "；".join(_each(reasons, original))
        return f"待锚定：{text}"
    return f"有效：{text}"


def _warned(report: VerificationReport, original: str) -> str:
    """The Chinese of the bottom line's warnings (``verifier.report``): how many, and the
    first (empty without warnings)."""
    warnings = report.warnings
    if not warnings:
        return ""
    first = warnings[0]
    said = translate(first.name, first.reason) or original.format(text=first.reason)
    where = f"（序号 {first.seq}）" if first.seq is not None else ""
    head = "1 项警示：" if len(warnings) == 1 else f"{len(warnings)} 项警示，第一项："
    return f"；{head}{CHECKS.get(first.name, first.name)}{where}：{said}"


def _each(reasons: Sequence[str] | dict[str, None], original: str) -> list[str]:
    return [translate("anchor token", r) or original.format(text=r) for r in reasons]
