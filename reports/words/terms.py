"""Vocabularies of a certificate in both languages: event types, statuses, check names,
roles, authentication methods, the times a platform reports per recipient.

The Chinese edition shows each in Chinese. A platform's own word (a role ``carbonCopy``,
an authentication method ``SMS OTP``) is data: where it is translated, the platform's
word follows in parentheses unless it is exactly our key (``signer``); a word we do not
know is shown as the platform sent it.
"""

from __future__ import annotations

import re

# The §1 event vocabulary (docs/evidence-format.md).
EVENT_TYPES: dict[str, dict[str, str]] = {
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
        "recipient.authenticated": "收件人已通过身份认证",
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

STATUSES: dict[str, dict[str, str]] = {
    "en": {
        "pass": "pass",
        "fail": "FAIL",
        "erased": "content erased",
        "pending": "pending",
        "skipped": "skipped",
        "warning": "warning",
    },
    "zh": {
        "pass": "通过",
        "fail": "失败",
        "erased": "内容已删除",
        "pending": "待定",
        "skipped": "跳过",
        "warning": "警示",
    },
}

# The bundle verifier's check names (verifier/bundle.py), in Chinese.
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
    "time plausibility": "时间合理性",
}

# Recipient roles as platforms name them (DocuSign recipient types, Adobe Acrobat Sign
# participant roles, Documenso and e签宝 roles...), keyed by the word in lower case
# without separators.
ROLES: dict[str, str] = {
    "sender": "发件人",
    "signer": "签署人",
    "reviewer": "审阅人",
    "approver": "审批人",
    "viewer": "查看人",
    "cc": "抄送人",
    "carboncopy": "抄送人",
    "certifieddelivery": "确认收件人",
    "certifiedrecipient": "确认收件人",
    "inpersonsigner": "当面签署人",
    "editor": "编辑人",
    "agent": "代理人",
    "intermediary": "中间人",
    "witness": "见证人",
    "notary": "公证人",
    "notarysigner": "公证人",
    "seal": "电子印章",
    "electronicsealer": "电子印章",
    "acceptor": "接受人",
    "formfiller": "表单填写人",
    "assistant": "助理",
    "delegate": "受托人",
    "owner": "所有者",
    "creator": "创建人",
    "recipient": "收件人",
}

# How platforms name the ways a signer was authenticated (actor.auth_method).
AUTH_METHODS: dict[str, str] = {
    "email": "电子邮件",
    "emaillink": "邮件链接",
    "emailotp": "邮件验证码",
    "sms": "短信",
    "smsotp": "短信验证码",
    "smsonetimecode": "短信验证码",
    "phone": "电话",
    "phoneauth": "电话认证",
    "password": "密码",
    "accesscode": "访问码",
    "kba": "知识问答认证",
    "idcheck": "身份证件核验",
    "idverification": "身份核验",
    "facerecognition": "人脸识别",
    "none": "无",
}

# The times of data.recipient_times and data.recipients[].times (docs/evidence-format.md).
RECIPIENT_TIMES: dict[str, dict[str, str]] = {
    "en": {
        "sent": "sent",
        "delivered": "delivered",
        "viewed": "viewed",
        "authenticated": "authenticated",
        "signed": "signed",
        "declined": "declined",
    },
    "zh": {
        "sent": "发送",
        "delivered": "送达",
        "viewed": "查看",
        "authenticated": "身份认证",
        "signed": "签署",
        "declined": "拒签",
    },
}

# A recipient's status as platforms report it (data.recipients[].status).
RECIPIENT_STATUSES: dict[str, str] = {
    "created": "已创建",
    "sent": "已发送",
    "delivered": "已送达",
    "viewed": "已查看",
    "authenticated": "已通过身份认证",
    "signed": "已签署",
    "completed": "已完成",
    "declined": "已拒签",
    "voided": "已作废",
    "expired": "已过期",
    "waiting": "等待中",
    "pending": "待处理",
}

_SEPARATORS = re.compile(r"[\s_\-./]+")


def key_of(word: str) -> str:
    """A platform's word as a vocabulary key: lower case, without separators."""
    return _SEPARATORS.sub("", word).lower()


def translated(word: str, vocabulary: dict[str, str]) -> str:
    """The Chinese for a platform's ``word``, followed by the word itself unless it is
    exactly the key; the word unchanged if the vocabulary does not know it."""
    key = key_of(word)
    zh = vocabulary.get(key)
    if zh is None:
        return word
    return zh if word == key else f"{zh}（{word}）"
